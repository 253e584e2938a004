import type { JWTPayload } from 'jose';
import type { SigningAlgorithm } from '../config/config.js';
import type { VerificationKey } from '../keys/key-provider.js';
import { checkTokenTimes, REQUIRED_CLAIMS, toAccessTokenClaims, type AccessTokenClaims } from './claims.js';
import { prepareVerificationKey, verifyJwsSignature } from './jws-verify.js';
import type { KeyRing } from './key-ring.js';
import { TokenRejectedError, type RejectionReason } from './rejection.js';
import { checkTokenFormat } from './token-format.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export interface AccessTokenVerifierOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly SigningAlgorithm[];
  readonly clockToleranceSeconds: number;
  /** Maximum number of verified tokens kept; 0 turns the cache off. */
  readonly cacheSize: number;
  readonly now: () => number;
}

export interface VerifiedAccessToken {
  readonly claims: AccessTokenClaims;
  readonly kid: string;
}

/**
 * Verifies RFC 9068 access tokens signed by our keys: format and header (`typ` included), key
 * by `kid`, signature with a synchronous `crypto.verify`, `iss`, `aud`, claim types, then `exp`,
 * `nbf` and `iat`.
 *
 * Verified tokens are cached by the full token string. A cache hit skips only the checks
 * whose result cannot change for the same string and key: format, header, signature,
 * issuer, audience and claim types. The key must still be the one the key source publishes
 * under that `kid`, and the time checks run again on every call.
 */
export class AccessTokenVerifier {
  private readonly cache: VerifiedTokenCache;

  constructor(
    private readonly keys: KeyRing,
    private readonly options: AccessTokenVerifierOptions,
  ) {
    this.cache = new VerifiedTokenCache(options.cacheSize);
  }

  /** Returns the token's claims, or throws a `TokenRejectedError` that names the reason. */
  async verify(token: string): Promise<VerifiedAccessToken> {
    const nowSeconds = Math.floor(this.options.now() / 1000);
    const tolerance = this.options.clockToleranceSeconds;

    // Tokens within the clock tolerance of `exp` are still valid, so they stay cached until then.
    const cached = this.cache.get(token, nowSeconds - tolerance);
    if (cached !== undefined) {
      if (await this.keys.isCurrent(cached.key)) {
        checkTokenTimes(cached.claims, nowSeconds, tolerance);
        return { claims: cached.claims, kid: cached.key.kid };
      }
      this.cache.delete(token);
    }

    const header = checkTokenFormat(token, this.options.algorithms);
    const key = await this.keys.find(header.kid);
    if (key === undefined) throw new TokenRejectedError('unknown_kid', `kid ${header.kid}`);
    // A key is used only with its own algorithm, so an RS256 key never checks a PS256 signature.
    if (key.alg !== header.alg) throw new TokenRejectedError('algorithm_not_allowed', `"alg" ${header.alg} for a ${key.alg} key`);

    const claims = this.checkSignedToken(token, key, nowSeconds);
    checkTokenTimes(claims, nowSeconds, tolerance);
    this.cache.set(token, { claims, key });
    return { claims, kid: key.kid };
  }

  /**
   * Checks the signature, then the payload in the order jose 6 checked it. The payload must be
   * a JSON object with the required claims. Then come `iss`, `aud`, the types of `iat`, `nbf`
   * and `exp`, the `nbf` and `exp` values, and last every claim type the authorizer relies on.
   */
  private checkSignedToken(token: string, key: VerificationKey, nowSeconds: number): AccessTokenClaims {
    const preparedKey = prepareVerificationKey(key);
    const signatureStart = token.lastIndexOf('.');
    if (!verifyJwsSignature(token.slice(0, signatureStart), token.slice(signatureStart + 1), preparedKey)) {
      throw new TokenRejectedError('invalid_signature', `signature does not verify with kid ${key.kid}`);
    }

    const payload = parsePayload(token.slice(token.indexOf('.') + 1, signatureStart));
    for (const claim of PRESENCE_CHECK_ORDER) {
      if (!Object.hasOwn(payload, claim)) throw new TokenRejectedError(reasonForClaim(claim), `"${claim}" claim missing`);
    }
    if (payload.iss !== this.options.issuer) throw new TokenRejectedError('invalid_issuer', '"iss" is not this issuer');
    if (!hasAllowedAudience(payload.aud, this.options.audiences)) throw new TokenRejectedError('invalid_audience', '"aud" names no allowed audience');

    const tolerance = this.options.clockToleranceSeconds;
    const { iat, nbf, exp } = payload;
    if (typeof iat !== 'number') throw new TokenRejectedError('invalid_claims', '"iat" claim is not a number');
    if (nbf !== undefined) {
      if (typeof nbf !== 'number') throw new TokenRejectedError('invalid_claims', '"nbf" claim is not a number');
      if (nbf > nowSeconds + tolerance) throw new TokenRejectedError('not_yet_valid');
    }
    if (typeof exp !== 'number') throw new TokenRejectedError('invalid_claims', '"exp" claim is not a number');
    if (exp <= nowSeconds - tolerance) throw new TokenRejectedError('expired');

    return toAccessTokenClaims(payload);
  }
}

/**
 * `REQUIRED_CLAIMS` in the order jose 6 checked their presence (`iss` and `aud` first), so a
 * token missing several claims keeps the reason code it had with jose.
 */
const PRESENCE_CHECK_ORDER = [...new Set(['iss', 'aud', ...[...REQUIRED_CLAIMS].reverse()])];

function reasonForClaim(claim: string): RejectionReason {
  if (claim === 'iss') return 'invalid_issuer';
  if (claim === 'aud') return 'invalid_audience';
  return 'invalid_claims';
}

/** Strict UTF-8: a payload with invalid byte sequences is malformed, not repaired. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes the base64url payload (already checked by `checkTokenFormat`) into a JSON object. */
function parsePayload(encoded: string): JWTPayload {
  let payload: unknown;
  try {
    payload = JSON.parse(utf8.decode(Buffer.from(encoded, 'base64url')));
  } catch {
    throw new TokenRejectedError('malformed_token', 'payload is not UTF-8 JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TokenRejectedError('malformed_token', 'payload is not a JSON object');
  }
  return payload as JWTPayload;
}

/** True when `aud`, a string or an array, contains one of `allowed`. */
function hasAllowedAudience(aud: unknown, allowed: readonly string[]): boolean {
  if (typeof aud === 'string') return allowed.includes(aud);
  if (Array.isArray(aud)) return allowed.some((audience) => aud.includes(audience));
  return false;
}
