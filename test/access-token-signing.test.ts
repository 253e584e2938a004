import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { SigningAlgorithm } from '../src/config/config.js';
import type { KeyProvider, SigningKey } from '../src/keys/key-provider.js';
import { issueAccessToken } from '../src/oauth/access-token.js';
import { prepareSigningKey } from '../src/oauth/jws-sign.js';

function providerFor(key: SigningKey): KeyProvider {
  return {
    getSigningKey: async () => key,
    getVerificationKeys: async () => [],
    invalidate: () => undefined,
  };
}

const REQUEST = {
  issuer: 'https://issuer.test',
  subject: 'client-1',
  audience: 'https://api.test',
  clientId: 'client-1',
  scope: 'read write',
  lifetimeSeconds: 900,
  sessionId: 'family-1',
  nowSeconds: Math.floor(Date.now() / 1000),
};

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyPairs: Record<SigningAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = { RS256: rsa, PS256: rsa, ES256: ec };

describe('issueAccessToken', () => {
  it.each(['RS256', 'PS256', 'ES256'] as const)('signs a %s token jose verifies', async (alg) => {
    const pair = keyPairs[alg];
    const issued = await issueAccessToken(providerFor({ kid: 'kid-1', alg, privateKey: pair.privateKey }), REQUEST);

    expect(decodeProtectedHeader(issued.token)).toEqual({ alg, typ: 'at+jwt', kid: 'kid-1' });
    const { payload } = await jwtVerify(issued.token, pair.publicKey, {
      algorithms: [alg],
      issuer: REQUEST.issuer,
      audience: REQUEST.audience,
      typ: 'at+jwt',
    });
    expect(payload).toEqual({
      client_id: 'client-1',
      scope: 'read write',
      sid: 'family-1',
      iss: REQUEST.issuer,
      sub: 'client-1',
      aud: REQUEST.audience,
      jti: issued.jti,
      iat: REQUEST.nowSeconds,
      exp: REQUEST.nowSeconds + 900,
    });
    expect(issued.expiresAt).toBe(REQUEST.nowSeconds + 900);
  });

  it('omits sid without a session', async () => {
    const { sessionId: _unused, ...request } = REQUEST;
    const issued = await issueAccessToken(providerFor({ kid: 'kid-1', alg: 'RS256', privateKey: rsa.privateKey }), request);
    const { payload } = await jwtVerify(issued.token, rsa.publicKey, { algorithms: ['RS256'] });
    expect(payload.sid).toBeUndefined();
  });
});

describe('prepareSigningKey', () => {
  it('rejects a public key', () => {
    expect(() => prepareSigningKey(rsa.publicKey, 'RS256')).toThrow('RS256 signing needs a private key, got a public key');
  });

  it('rejects an EC key for RS256', () => {
    expect(() => prepareSigningKey(ec.privateKey, 'RS256')).toThrow('RS256 signing needs an RSA key, got ec');
  });

  it('rejects an RSA key for ES256', () => {
    expect(() => prepareSigningKey(rsa.privateKey, 'ES256')).toThrow('ES256 signing needs a P-256 key, got rsa');
  });

  it('rejects a P-384 key for ES256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => prepareSigningKey(p384.privateKey, 'ES256')).toThrow('ES256 signing needs a P-256 key, got ec secp384r1');
  });

  it('rejects a 1024-bit RSA modulus', () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => prepareSigningKey(short.privateKey, 'PS256')).toThrow('PS256 signing needs an RSA modulus of at least 2048 bits, got 1024');
  });
});
