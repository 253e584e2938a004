import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyProvider } from '../keys/key-provider.js';

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

/** Signs an RFC 9068 access token with the provider's current signing key. */
export async function issueAccessToken(keys: KeyProvider, request: AccessTokenRequest): Promise<IssuedAccessToken> {
  const key = await keys.getSigningKey();
  const jti = randomUUID();
  const expiresAt = request.nowSeconds + request.lifetimeSeconds;

  const claims: Record<string, string> = { client_id: request.clientId, scope: request.scope };
  if (request.sessionId !== undefined) claims.sid = request.sessionId;

  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid })
    .setIssuer(request.issuer)
    .setSubject(request.subject)
    .setAudience(request.audience)
    .setJti(jti)
    .setIssuedAt(request.nowSeconds)
    .setExpirationTime(expiresAt)
    .sign(key.privateKey);

  return { token, jti, expiresAt, expiresIn: request.lifetimeSeconds };
}
