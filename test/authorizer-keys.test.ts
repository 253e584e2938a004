import { jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';
import type { LocalServer } from '../local/app.js';
import { createAuthorizerFromEnv } from '../src/authorizer/runtime.js';
import { PublishedJwksStore } from '../src/keys/published-jwks.js';
import { StoreVerificationKeys } from '../src/authorizer/store-verification-keys.js';
import type { VerificationKey, VerificationKeySource } from '../src/keys/key-provider.js';
import { accessTokenClaims, invoke, restTokenEvent, signAccessToken, signRaw } from './support/authorizer-fixtures.js';
import { startTestServer } from './support/local-server.js';

/** The real table-backed key source, counting how often it is read and invalidated. */
class CountingKeySource implements VerificationKeySource {
  reads = 0;
  invalidations = 0;
  constructor(private readonly inner: VerificationKeySource) {}
  getVerificationKeys(): Promise<readonly VerificationKey[]> {
    this.reads += 1;
    return this.inner.getVerificationKeys();
  }
  invalidate(): void {
    this.invalidations += 1;
    this.inner.invalidate();
  }
}

describe('authorizer keys', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const countingSource = (): CountingKeySource =>
    new CountingKeySource(new StoreVerificationKeys(server.deps.db, { tableName: server.config.tableName, cacheSeconds: 300 }));

  const authorizerWith = (keys: VerificationKeySource, now: () => number = Date.now) =>
    createAuthorizerFromEnv(
      { ...process.env, ISSUER: server.config.issuer, TABLE_NAME: server.config.tableName, KEY_RELOAD_COOLDOWN_SECONDS: '10' },
      { db: server.deps.db, keys, now },
    );

  it('reloads once per cooldown', async () => {
    let clock = Date.now();
    const source = countingSource();
    const handler = authorizerWith(source, () => clock);
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = await calculateJwkThumbprint(attacker.publicKey.export({ format: 'jwk' }) as JWK);
    const forged = signRaw({ alg: 'RS256', typ: 'at+jwt', kid }, accessTokenClaims(server), attacker.privateKey);

    await Promise.all(Array.from({ length: 5 }, () => invoke(handler, restTokenEvent(`Bearer ${forged}`))));
    for (let attempt = 0; attempt < 20; attempt += 1) {
      expect((await invoke(handler, restTokenEvent(`Bearer ${forged}`))).error).toBe('Error: Unauthorized');
    }
    expect(source.invalidations).toBe(1);

    clock += 10_000;
    await invoke(handler, restTokenEvent(`Bearer ${forged}`));
    expect(source.invalidations).toBe(2);
  });

  it('reads no store when warm', async () => {
    const handler = authorizerWith(countingSource());
    const token = await signAccessToken(server);
    expect((await invoke(handler, restTokenEvent(`Bearer ${token}`))).error).toBeUndefined();

    // A spy that calls through: it only counts the requests sent to the store.
    const send = jest.spyOn(server.deps.db, 'send');
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect((await invoke(handler, restTokenEvent(`Bearer ${token}`))).error).toBeUndefined();
      }
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
  });

  it('never exposes private members', async () => {
    const keys = await new StoreVerificationKeys(server.deps.db, { tableName: server.config.tableName, cacheSeconds: 0 }).getVerificationKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.publicKey.type).toBe('public');
      expect(Object.keys(key.jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
  });

  it('reads the published JWKS item', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(jwk);
    await new PublishedJwksStore(server.deps.db, server.config.tableName).put({
      keys: [{ kid, alg: 'RS256', jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } }],
      updatedAt: Math.floor(Date.now() / 1000),
    });
    const handler = createAuthorizerFromEnv(
      { ...process.env, ISSUER: server.config.issuer, TABLE_NAME: server.config.tableName, KEY_SOURCE: 'aws' },
      { db: server.deps.db },
    );
    const token = await new SignJWT(accessTokenClaims(server)).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(pair.privateKey);

    expect((await invoke(handler, restTokenEvent(`Bearer ${token}`))).error).toBeUndefined();
    expect((await invoke(handler, restTokenEvent(`Bearer ${await signAccessToken(server)}`))).error).toBe('Error: Unauthorized');
  });

  it('rejects an unknown KEY_SOURCE', () => {
    const create = (): unknown => createAuthorizerFromEnv({ ...process.env, KEY_SOURCE: 'vault' }, { db: server.deps.db });
    expect(create).toThrow(TypeError);
  });
});
