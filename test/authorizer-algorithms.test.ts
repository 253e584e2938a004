import { generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { KeyRing } from '../src/authorizer/key-ring.js';
import { TokenRejectedError, type RejectionReason } from '../src/authorizer/rejection.js';
import { AccessTokenVerifier } from '../src/authorizer/verify-token.js';
import type { SigningAlgorithm } from '../src/config/config.js';
import type { VerificationKey, VerificationKeySource } from '../src/keys/key-provider.js';
import { base64url, signRaw } from './support/authorizer-fixtures.js';

const ISSUER = 'https://auth.test.invalid';
const AUDIENCE = 'https://api.test.invalid';
const NOW_SECONDS = 1_800_000_000;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pairs: Record<SigningAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = { RS256: rsa, PS256: rsa, ES256: ec };

function verificationKey(alg: SigningAlgorithm, publicKey: KeyObject): VerificationKey {
  return { kid: `kid-${alg}`, alg, publicKey, jwk: publicKey.export({ format: 'jwk' }) as JWK };
}

function verifierFor(keys: readonly VerificationKey[]): AccessTokenVerifier {
  const source: VerificationKeySource = { getVerificationKeys: () => Promise.resolve(keys), invalidate: () => undefined };
  const ring = new KeyRing(source, { reloadCooldownMs: 10_000, now: () => NOW_SECONDS * 1000 });
  return new AccessTokenVerifier(ring, {
    issuer: ISSUER,
    audiences: [AUDIENCE],
    algorithms: ['RS256', 'PS256', 'ES256'],
    clockToleranceSeconds: 60,
    cacheSize: 0,
    now: () => NOW_SECONDS * 1000,
  });
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    client_id: 'client-1',
    scope: 'orders:read',
    jti: randomUUID(),
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 900,
    ...overrides,
  };
}

function tokenFor(alg: SigningAlgorithm, payload: unknown = claims()): string {
  return signRaw({ alg, typ: 'at+jwt', kid: `kid-${alg}` }, payload, pairs[alg].privateKey, alg);
}

async function reasonOf(verifier: AccessTokenVerifier, token: string): Promise<RejectionReason | 'accepted' | string> {
  return verifier.verify(token).then(
    () => 'accepted',
    (error: unknown) => (error instanceof TokenRejectedError ? error.reason : `threw ${String(error)}`),
  );
}

const allKeys = (['RS256', 'PS256', 'ES256'] as const).map((alg) => verificationKey(alg, pairs[alg].publicKey));

describe('authorizer signature algorithms', () => {
  it.each(['RS256', 'PS256', 'ES256'] as const)('accepts a %s token', async (alg) => {
    const { claims: verified, kid } = await verifierFor(allKeys).verify(tokenFor(alg));
    expect(kid).toBe(`kid-${alg}`);
    expect(verified.sub).toBe('user-1');
  });

  it.each(['RS256', 'PS256', 'ES256'] as const)('rejects a %s token with another payload', async (alg) => {
    const [header, , signature] = tokenFor(alg).split('.');
    const forged = `${header}.${base64url(JSON.stringify(claims({ scope: 'admin' })))}.${signature}`;
    expect(await reasonOf(verifierFor(allKeys), forged)).toBe('invalid_signature');
  });

  it('rejects PS256 with a salt other than 32 bytes', async () => {
    const input = `${base64url(JSON.stringify({ alg: 'PS256', typ: 'at+jwt', kid: 'kid-PS256' }))}.${base64url(JSON.stringify(claims()))}`;
    const signature = cryptoSign('sha256', Buffer.from(input), { key: rsa.privateKey, padding: 6, saltLength: 20 });
    expect(await reasonOf(verifierFor(allKeys), `${input}.${signature.toString('base64url')}`)).toBe('invalid_signature');
  });

  it('rejects an RS256 signature as PS256', async () => {
    const input = `${base64url(JSON.stringify({ alg: 'PS256', typ: 'at+jwt', kid: 'kid-PS256' }))}.${base64url(JSON.stringify(claims()))}`;
    const signature = cryptoSign('sha256', Buffer.from(input), rsa.privateKey);
    expect(await reasonOf(verifierFor(allKeys), `${input}.${signature.toString('base64url')}`)).toBe('invalid_signature');
  });

  it('rejects a DER-encoded ES256 signature', async () => {
    const input = `${base64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'kid-ES256' }))}.${base64url(JSON.stringify(claims()))}`;
    const der = cryptoSign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'der' });
    expect(await reasonOf(verifierFor(allKeys), `${input}.${der.toString('base64url')}`)).toBe('invalid_signature');
  });

  it('rejects an RSA key under 2048 bits', async () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const token = signRaw({ alg: 'RS256', typ: 'at+jwt', kid: 'kid-RS256' }, claims(), short.privateKey);
    await expect(verifierFor([verificationKey('RS256', short.publicKey)]).verify(token)).rejects.toThrow(
      'RS256 verification needs an RSA modulus of at least 2048 bits, got 1024',
    );
  });

  it('rejects an EC key published as RS256', async () => {
    const token = signRaw({ alg: 'RS256', typ: 'at+jwt', kid: 'kid-RS256' }, claims(), rsa.privateKey);
    await expect(verifierFor([verificationKey('RS256', ec.publicKey)]).verify(token)).rejects.toThrow(TypeError);
  });

  it('rejects a payload that is not UTF-8', async () => {
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'kid-RS256' }));
    const input = `${header}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}`;
    const signature = cryptoSign('sha256', Buffer.from(input), rsa.privateKey);
    expect(await reasonOf(verifierFor(allKeys), `${input}.${signature.toString('base64url')}`)).toBe('malformed_token');
  });

  it.each([
    ['missing iss', { iss: undefined }, 'invalid_issuer'],
    ['missing aud', { aud: undefined }, 'invalid_audience'],
    ['aud as a number', { aud: 7 }, 'invalid_audience'],
    ['aud list with ours', { aud: ['https://other.invalid', AUDIENCE] }, 'accepted'],
    ['empty aud list', { aud: [] }, 'invalid_audience'],
    ['non-numeric iat', { iat: String(NOW_SECONDS) }, 'invalid_claims'],
    ['non-numeric nbf', { nbf: 'soon' }, 'invalid_claims'],
    ['nbf within tolerance', { nbf: NOW_SECONDS + 60 }, 'accepted'],
    ['nbf beyond tolerance', { nbf: NOW_SECONDS + 61 }, 'not_yet_valid'],
    ['exp within tolerance', { exp: NOW_SECONDS - 59 }, 'accepted'],
    ['exp at tolerance', { exp: NOW_SECONDS - 60 }, 'expired'],
    ['exp as Infinity', { exp: '1e400' }, 'invalid_claims'],
  ] as const)('%s', async (_name, overrides, reason) => {
    const payload = claims(Object.fromEntries(Object.entries(overrides)));
    for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete payload[name];
    const json = JSON.stringify(payload).replace('"1e400"', '1e400');
    expect(await reasonOf(verifierFor(allKeys), tokenFor('RS256', json))).toBe(reason);
  });
});
