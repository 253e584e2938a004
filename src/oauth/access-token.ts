import { randomUUID, type SignKeyObjectInput } from 'node:crypto';
import type { KeyProvider, SigningKey } from '../keys/key-provider.js';
import { prepareSigningKey, signJwsInput } from './jws-sign.js';

/** The RFC 9068 `typ` header value of JWT access tokens. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenRequest {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
  readonly clientId: string;
  readonly scope: string;
  readonly lifetimeSeconds: number;
  /** Refresh-token family id, for tokens issued from a family. */
  readonly sessionId?: string | undefined;
  readonly nowSeconds: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresAt: number;
  readonly expiresIn: number;
}

/** A signing key's encoded protected header and checked `crypto.sign` input. */
interface PreparedSigningKey {
  readonly encodedHeader: string;
  readonly keyInput: SignKeyObjectInput;
}

/**
 * Prepared keys by key object. Key providers return the same `SigningKey` object while their
 * cache is warm, so the header is encoded and the key checked once per key, not per token.
 */
const preparedKeys = new WeakMap<SigningKey, PreparedSigningKey>();

function prepare(key: SigningKey): PreparedSigningKey {
  let prepared = preparedKeys.get(key);
  if (prepared === undefined) {
    const header = { alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid };
    prepared = {
      encodedHeader: Buffer.from(JSON.stringify(header), 'utf8').toString('base64url'),
      keyInput: prepareSigningKey(key.privateKey, key.alg),
    };
    preparedKeys.set(key, prepared);
  }
  return prepared;
}

/**
 * Signs an RFC 9068 access token with the provider's current signing key: a compact JWS
 * with header `{alg, typ: "at+jwt", kid}`, built directly on `crypto.sign` because jose's
 * WebCrypto signing cost the token endpoint about a third of its throughput.
 */
export async function issueAccessToken(keys: KeyProvider, request: AccessTokenRequest): Promise<IssuedAccessToken> {
  const key = await keys.getSigningKey();
  const { encodedHeader, keyInput } = prepare(key);
  const jti = randomUUID();
  const expiresAt = request.nowSeconds + request.lifetimeSeconds;

  const claims: Record<string, string | number> = { client_id: request.clientId, scope: request.scope };
  if (request.sessionId !== undefined) claims.sid = request.sessionId;
  claims.iss = request.issuer;
  claims.sub = request.subject;
  claims.aud = request.audience;
  claims.jti = jti;
  claims.iat = request.nowSeconds;
  claims.exp = expiresAt;

  const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  const token = `${signingInput}.${await signJwsInput(signingInput, keyInput)}`;
  return { token, jti, expiresAt, expiresIn: request.lifetimeSeconds };
}
