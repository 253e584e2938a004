import { jwtVerify } from 'jose/jwt/verify';
import type { SigningAlgorithm } from '../config/config.js';
import type { VerificationKey } from '../keys/key-provider.js';
import { checkTokenTimes, REQUIRED_CLAIMS, toAccessTokenClaims, type AccessTokenClaims } from './claims.js';
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
 * Verifies RFC 9068 access tokens signed by our keys: format and header, key by `kid`,
 * signature with jose, `iss`, `aud`, `typ`, claim types, then `exp`, `nbf` and `iat`.
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

    const claims = await this.verifySignedToken(token, key, nowSeconds);
    checkTokenTimes(claims, nowSeconds, tolerance);
    this.cache.set(token, { claims, key });
    return { claims, kid: key.kid };
  }

  private async verifySignedToken(token: string, key: VerificationKey, nowSeconds: number): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: this.options.issuer,
        audience: [...this.options.audiences],
        typ: 'at+jwt',
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(nowSeconds * 1000),
        requiredClaims: REQUIRED_CLAIMS,
      });
      return toAccessTokenClaims(payload);
    } catch (error) {
      if (error instanceof TokenRejectedError || !isJoseError(error)) throw error;
      throw new TokenRejectedError(classifyJoseError(error), describeJoseError(error), { cause: error });
    }
  }
}

interface JoseErrorShape {
  readonly code?: unknown;
  readonly claim?: unknown;
  readonly message?: unknown;
}

function isJoseError(error: unknown): boolean {
  const { code } = (typeof error === 'object' && error !== null ? error : {}) as JoseErrorShape;
  return typeof code === 'string' && code.startsWith('ERR_');
}

/** Maps a jose error to a reason code by its stable `code` and, for claim errors, its `claim`. */
function classifyJoseError(error: unknown): RejectionReason {
  const { code, claim } = (typeof error === 'object' && error !== null ? error : {}) as JoseErrorShape;
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'invalid_signature';
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'algorithm_not_allowed';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return 'invalid_issuer';
      if (claim === 'aud') return 'invalid_audience';
      if (claim === 'nbf') return 'not_yet_valid';
      if (claim === 'typ') return 'invalid_typ';
      return 'invalid_claims';
    default:
      // A malformed JWS or JWT, or an unsupported `crit`.
      return 'malformed_token';
  }
}

function describeJoseError(error: unknown): string {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as JoseErrorShape;
  return `${typeof code === 'string' ? code : 'error'}: ${typeof message === 'string' ? message : String(error)}`;
}
