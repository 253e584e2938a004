import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, CompactEncrypt, type JWK } from 'jose';
import type { LocalServer } from '../local/app.js';
import { Authorizer } from '../src/authorizer/authorizer.js';
import { loadAuthorizerConfig } from '../src/authorizer/config.js';
import { parseRouteArn } from '../src/authorizer/policy.js';
import { TokenRejectedError, type RejectionReason } from '../src/authorizer/rejection.js';
import { StoreVerificationKeys } from '../src/authorizer/store-verification-keys.js';
import type { AuthorizerHandler } from '../src/authorizer/handler.js';
import type { SigningKey } from '../src/keys/key-provider.js';
import {
  accessTokenClaims,
  base64url,
  createTestAuthorizer,
  invoke,
  methodArn,
  restTokenEvent,
  signAccessToken,
  signRaw,
} from './support/authorizer-fixtures.js';
import { startTestServer } from './support/local-server.js';

type Attack = [name: string, token: string, reason: RejectionReason];

/** Replaces the payload of a signed token, keeping its header and signature. */
function withPayload(token: string, payload: unknown): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(JSON.stringify(payload))}.${signature}`;
}

function hs256(header: Record<string, unknown>, payload: unknown, secret: Buffer): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Builds the corpus against the server's real key: every entry must be rejected with its reason. */
async function buildAttacks(server: LocalServer, key: SigningKey): Promise<Attack[]> {
  const now = Math.floor(Date.now() / 1000);
  const claims = accessTokenClaims(server);
  const header = { alg: 'RS256', typ: 'at+jwt', kid: key.kid };
  const signed = (extraHeader: Record<string, unknown>, payload: unknown = claims, signingKey: KeyObject = key.privateKey): string =>
    signRaw({ ...header, ...extraHeader }, payload, signingKey);
  const valid = await signAccessToken(server);
  const [validHeader, validPayload, validSignature] = valid.split('.') as [string, string, string];

  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' }) as JWK;
  const attackerKid = await calculateJwkThumbprint(attackerJwk);
  const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ourPublicKey = createPublicKey(key.privateKey);
  const ourPublicPem = Buffer.from(ourPublicKey.export({ format: 'pem', type: 'spki' }));
  const ourPublicJwk = ourPublicKey.export({ format: 'jwk' }) as JWK;
  const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', typ: 'at+jwt', kid: key.kid })
    .encrypt(ourPublicKey);

  return [
    ['alg none, empty signature', `${base64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: key.kid }))}.${validPayload}.`, 'malformed_token'],
    ['alg none with a signature', `${base64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: key.kid }))}.${validPayload}.${validSignature}`, 'algorithm_not_allowed'],
    ['alg NONE upper case', `${base64url(JSON.stringify({ alg: 'NONE', typ: 'at+jwt', kid: key.kid }))}.${validPayload}.${validSignature}`, 'algorithm_not_allowed'],
    ['HS256 keyed with our PEM', hs256({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }, claims, ourPublicPem), 'algorithm_not_allowed'],
    ['HS256 keyed with our modulus', hs256({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }, claims, Buffer.from(String(ourPublicJwk.n))), 'algorithm_not_allowed'],
    ['embedded jwk, attacker kid', signRaw({ ...header, kid: attackerKid, jwk: attackerJwk }, claims, attacker.privateKey), 'disallowed_header'],
    ['embedded jwk, our kid', signRaw({ ...header, jwk: attackerJwk }, claims, attacker.privateKey), 'disallowed_header'],
    ['jku elsewhere', signRaw({ ...header, kid: attackerKid, jku: 'https://attacker.invalid/jwks.json' }, claims, attacker.privateKey), 'disallowed_header'],
    ['x5u elsewhere', signRaw({ ...header, kid: attackerKid, x5u: 'https://attacker.invalid/cert.pem' }, claims, attacker.privateKey), 'disallowed_header'],
    ['x5c chain', signRaw({ ...header, x5c: ['MIIBszCCAVmgAwIBAgIU'] }, claims, attacker.privateKey), 'disallowed_header'],
    ['unknown kid', signRaw({ ...header, kid: attackerKid }, claims, attacker.privateKey), 'unknown_kid'],
    ['kid with a path', signed({ kid: '../../../../dev/null' }), 'malformed_token'],
    ['kid with SQL', signed({ kid: "x' OR '1'='1" }), 'malformed_token'],
    ['kid as a number', signed({ kid: 42 }), 'malformed_token'],
    ['kid missing', signRaw({ alg: 'RS256', typ: 'at+jwt' }, claims, key.privateKey), 'malformed_token'],
    ['unknown crit', signed({ crit: ['urn:example:policy'], 'urn:example:policy': true }), 'disallowed_header'],
    ['crit exp', signed({ crit: ['exp'] }), 'disallowed_header'],
    ['b64 false', signRaw({ ...header, b64: false, crit: ['b64'] }, JSON.stringify(claims), key.privateKey), 'disallowed_header'],
    ['cty JWT nested', signed({ cty: 'JWT' }), 'disallowed_header'],
    ['nested JWT payload', signRaw(header, valid, key.privateKey), 'malformed_token'],
    ['__proto__ header', `${base64url(`{"alg":"RS256","typ":"at+jwt","kid":"${key.kid}","__proto__":{"x":1}}`)}.${validPayload}.${validSignature}`, 'disallowed_header'],
    ['stripped signature', `${validHeader}.${validPayload}.`, 'malformed_token'],
    ['two parts', `${validHeader}.${validPayload}`, 'malformed_token'],
    ['truncated signature', `${validHeader}.${validPayload}.${validSignature.slice(0, -4)}`, 'invalid_signature'],
    ['payload altered after signing', withPayload(valid, { ...claims, scope: 'orders:read admin' }), 'invalid_signature'],
    ['signature of another token', `${validHeader}.${base64url(JSON.stringify({ ...claims, sub: 'admin' }))}.${validSignature}`, 'invalid_signature'],
    ['wrong typ JWT', signed({ typ: 'JWT' }), 'invalid_typ'],
    ['missing typ', signRaw({ alg: 'RS256', kid: key.kid }, claims, key.privateKey), 'invalid_typ'],
    ['wrong iss', signed({}, { ...claims, iss: 'https://attacker.invalid' }), 'invalid_issuer'],
    ['wrong aud', signed({}, { ...claims, aud: 'https://other-api.invalid' }), 'invalid_audience'],
    ['aud list without ours', signed({}, { ...claims, aud: ['https://a.invalid', 'https://b.invalid'] }), 'invalid_audience'],
    ['expired', signed({}, { ...claims, iat: now - 3600, exp: now - 600 }), 'expired'],
    ['not yet valid', signed({}, { ...claims, nbf: now + 600 }), 'not_yet_valid'],
    ['issued in the future', signed({}, { ...claims, iat: now + 600, exp: now + 1500 }), 'issued_in_future'],
    ['missing sub', signed({}, accessTokenClaims(server, { sub: undefined })), 'invalid_claims'],
    ['missing jti', signed({}, accessTokenClaims(server, { jti: undefined })), 'invalid_claims'],
    ['missing exp', signed({}, accessTokenClaims(server, { exp: undefined })), 'invalid_claims'],
    ['missing client_id', signed({}, accessTokenClaims(server, { client_id: undefined })), 'invalid_claims'],
    ['non-numeric exp', signed({}, { ...claims, exp: String(now + 900) }), 'invalid_claims'],
    ['sub as a number', signed({}, { ...claims, sub: 12345 }), 'invalid_claims'],
    ['scope as an array', signed({}, { ...claims, scope: ['orders:read'] }), 'invalid_claims'],
    ['payload not an object', signed({}, [claims]), 'malformed_token'],
    ['JWE', jwe, 'encrypted_token'],
    ['oversized', `${validHeader}.${'A'.repeat(9000)}.${validSignature}`, 'oversized_token'],
    ['non-base64url characters', `${validHeader}.${validPayload.slice(0, 10)}+/${validPayload.slice(12)}.${validSignature}`, 'malformed_token'],
    ['header not JSON', `${base64url('{"alg":"RS256",')}.${validPayload}.${validSignature}`, 'malformed_token'],
    ['other key with our kid', signed({}, claims, attacker.privateKey), 'invalid_signature'],
    ['PS256 with our RSA key', signRaw({ ...header, alg: 'PS256' }, claims, key.privateKey, 'PS256'), 'algorithm_not_allowed'],
    ['ES256 with our kid', signRaw({ ...header, alg: 'ES256' }, claims, attackerEc.privateKey, 'ES256'), 'algorithm_not_allowed'],
  ];
}

describe('authorizer attack corpus', () => {
  let server: LocalServer;
  let handler: AuthorizerHandler;
  let authorizer: Authorizer;
  let attacks: Attack[];

  beforeAll(async () => {
    server = await startTestServer();
    handler = createTestAuthorizer(server);
    const config = loadAuthorizerConfig({}, server.config);
    authorizer = new Authorizer({
      config,
      keys: new StoreVerificationKeys(server.deps.db, { tableName: server.config.tableName, cacheSeconds: 300 }),
      denyList: server.deps.denyList,
    });
    attacks = await buildAttacks(server, await server.deps.keys.getSigningKey());
  });
  afterAll(async () => {
    await server.close();
  });

  it('has at least 30 attacks', () => {
    expect(attacks.length).toBeGreaterThanOrEqual(30);
  });

  it('accepts the untampered token', async () => {
    const { error } = await invoke(handler, restTokenEvent(`Bearer ${await signAccessToken(server)}`));
    expect(error).toBeUndefined();
  });

  it('rejects every attack with the expected reason', async () => {
    const route = parseRouteArn(methodArn('GET', '/orders/1'))!;
    const outcomes: Array<[string, string]> = [];
    for (const [name, token, reason] of attacks) {
      const outcome = await authorizer.authorize(`Bearer ${token}`, route).then(
        () => 'accepted',
        (error: unknown) => (error instanceof TokenRejectedError ? error.reason : `threw ${String(error)}`),
      );
      outcomes.push([name, outcome]);
      expect([name, outcome]).toEqual([name, reason]);
    }
    expect(outcomes).toHaveLength(attacks.length);
  });

  it('answers every attack with Unauthorized', async () => {
    for (const [name, token] of attacks) {
      const { result, error } = await invoke(handler, restTokenEvent(`Bearer ${token}`));
      expect([name, result, error]).toEqual([name, undefined, 'Error: Unauthorized']);
    }
  });
});
