import type { JWTPayload } from 'jose';
import { TokenRejectedError } from './rejection.js';

/** The claims of an RFC 9068 access token as this server issues them. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly client_id: string;
  readonly scope: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly nbf?: number;
  /** Refresh-token family id, present on tokens issued from a family. */
  readonly sid?: string;
}

/** Claims that must be present before any claim value is checked. */
export const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope'];

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Checks that every claim the authorizer relies on has the right type, and returns them typed.
 * `scope` may be empty (a client without scopes); `sub`, `jti` and `client_id` may not.
 */
export function toAccessTokenClaims(payload: JWTPayload): AccessTokenClaims {
  const { iss, sub, aud, jti, iat, exp, nbf } = payload;
  const clientId = payload.client_id;
  const scope = payload.scope;
  const sid = payload.sid;

  const invalid = (claim: string): never => {
    throw new TokenRejectedError('invalid_claims', `"${claim}" claim missing or of the wrong type`);
  };
  if (!isNonEmptyString(iss)) invalid('iss');
  if (!isNonEmptyString(sub)) invalid('sub');
  if (!isNonEmptyString(jti)) invalid('jti');
  if (!isNonEmptyString(clientId)) invalid('client_id');
  if (typeof scope !== 'string') invalid('scope');
  if (!(isNonEmptyString(aud) || (Array.isArray(aud) && aud.length > 0 && aud.every(isNonEmptyString)))) invalid('aud');
  if (!isNumericDate(iat)) invalid('iat');
  if (!isNumericDate(exp)) invalid('exp');
  if (nbf !== undefined && !isNumericDate(nbf)) invalid('nbf');
  if (sid !== undefined && !isNonEmptyString(sid)) invalid('sid');

  return {
    iss: iss as string,
    sub: sub as string,
    aud: aud as string | string[],
    client_id: clientId as string,
    scope: scope as string,
    jti: jti as string,
    iat: iat as number,
    exp: exp as number,
    ...(nbf === undefined ? {} : { nbf }),
    ...(sid === undefined ? {} : { sid: sid as string }),
  };
}

/**
 * Checks `exp`, `nbf` and `iat` against the clock, allowing `toleranceSeconds` of skew.
 * It runs on every request, for cached tokens too, because its result changes with time.
 */
export function checkTokenTimes(claims: AccessTokenClaims, nowSeconds: number, toleranceSeconds: number): void {
  if (claims.exp <= nowSeconds - toleranceSeconds) throw new TokenRejectedError('expired');
  if (claims.nbf !== undefined && claims.nbf > nowSeconds + toleranceSeconds) throw new TokenRejectedError('not_yet_valid');
  if (claims.iat > nowSeconds + toleranceSeconds) throw new TokenRejectedError('issued_in_future');
}
