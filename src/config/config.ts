import type { LockoutPolicy } from '../oauth/lockout.js';
import { readInteger, readList, readOptionalString, readString, type Env } from './env.js';

/** Signing algorithms the server can issue with. RS256 is the default because API Gateway's native JWT authorizer accepts only RSA keys. */
export const SUPPORTED_SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SUPPORTED_SIGNING_ALGORITHMS)[number];

export interface ScryptParameters {
  /** CPU/memory cost N, a power of two. */
  readonly n: number;
  /** Block size r. */
  readonly r: number;
  /** Parallelization p. */
  readonly p: number;
}

/** Settings shared by every endpoint, the local server and the admin CLI. */
export interface AuthConfig {
  readonly issuer: string;
  readonly tableName: string;
  /** DynamoDB endpoint override (local store, DynamoDB Local); unset means the AWS regional endpoint. */
  readonly dynamoDbEndpoint: string | undefined;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Maximum time between two uses of a refresh-token family; 0 disables the idle timeout. */
  readonly refreshTokenIdleSeconds: number;
  /** How long after a rotation the previous refresh token still returns the same successor; 0 disables it. */
  readonly refreshReuseGraceSeconds: number;
  readonly signingAlgorithm: SigningAlgorithm;
  /** Audience put in access tokens of clients that have none of their own. */
  readonly defaultAudience: string;
  /** Audiences the authorizer accepts. */
  readonly acceptedAudiences: readonly string[];
  readonly scrypt: ScryptParameters;
  /** How long a client record read from the table is reused before it is read again. */
  readonly clientCacheSeconds: number;
  /** How long signing and verification keys are reused before they are read again. */
  readonly keyCacheSeconds: number;
  /** Brute-force protection of passwords, counted per username. */
  readonly userLockout: LockoutPolicy;
  /** Brute-force protection of client secrets, counted per client id. */
  readonly clientLockout: LockoutPolicy;
}

const DAY_SECONDS = 86_400;

/**
 * OWASP Password Storage Cheat Sheet (2023 revision) minimum for scrypt:
 * N=2^17, r=8, p=1, which takes 128 MiB of memory per hash.
 */
export const OWASP_SCRYPT: ScryptParameters = { n: 2 ** 17, r: 8, p: 1 };

export const DEFAULT_PORT = 3000;

/**
 * Builds the configuration from environment variables, failing with a `TypeError` on an invalid value.
 * `ISSUER` defaults to the local server's own URL, `http://127.0.0.1:$PORT`.
 */
export function loadConfig(env: Env = process.env): AuthConfig {
  const port = readInteger(env, 'PORT', DEFAULT_PORT, { min: 0, max: 65_535 });
  const issuer = readString(env, 'ISSUER', `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  validateIssuer(issuer);

  const algorithm = readString(env, 'SIGNING_ALG', 'RS256');
  if (!(SUPPORTED_SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new TypeError(
      `environment variable SIGNING_ALG must be one of ${SUPPORTED_SIGNING_ALGORITHMS.join(', ')}, got "${algorithm}"`,
    );
  }

  const defaultAudience = readString(env, 'DEFAULT_AUDIENCE', issuer);
  const scryptN = readInteger(env, 'SCRYPT_N', OWASP_SCRYPT.n, { min: 2 ** 10, max: 2 ** 20 });
  if ((scryptN & (scryptN - 1)) !== 0) {
    throw new TypeError(`environment variable SCRYPT_N must be a power of two, got ${scryptN}`);
  }

  return {
    issuer,
    tableName: readString(env, 'TABLE_NAME', 'auth-local'),
    dynamoDbEndpoint: readOptionalString(env, 'DYNAMODB_ENDPOINT'),
    accessTokenTtlSeconds: readInteger(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, { min: 1, max: DAY_SECONDS }),
    refreshTokenTtlSeconds: readInteger(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * DAY_SECONDS, {
      min: 1,
      max: 365 * DAY_SECONDS,
    }),
    refreshTokenIdleSeconds: readInteger(env, 'REFRESH_TOKEN_IDLE_SECONDS', 0, { min: 0, max: 365 * DAY_SECONDS }),
    refreshReuseGraceSeconds: readInteger(env, 'REFRESH_REUSE_GRACE_SECONDS', 0, { min: 0, max: 300 }),
    signingAlgorithm: algorithm as SigningAlgorithm,
    defaultAudience,
    acceptedAudiences: readList(env, 'AUDIENCE', [defaultAudience]),
    scrypt: {
      n: scryptN,
      r: readInteger(env, 'SCRYPT_R', OWASP_SCRYPT.r, { min: 1, max: 32 }),
      p: readInteger(env, 'SCRYPT_P', OWASP_SCRYPT.p, { min: 1, max: 16 }),
    },
    clientCacheSeconds: readInteger(env, 'CLIENT_CACHE_SECONDS', 30, { min: 0, max: 3600 }),
    keyCacheSeconds: readInteger(env, 'KEY_CACHE_SECONDS', 300, { min: 0, max: DAY_SECONDS }),
    ...loadLockoutPolicies(env),
  };
}

/**
 * Lockout settings. Users and clients share the window and the durations; each has its own
 * threshold, and 0 turns that kind of lockout off. Clients get a higher threshold because
 * their generated secrets cannot be guessed, so a lock mainly stops noise, and because
 * anyone who has a client id can lock that client out.
 */
function loadLockoutPolicies(env: Env): Pick<AuthConfig, 'userLockout' | 'clientLockout'> {
  const windowSeconds = readInteger(env, 'LOCKOUT_WINDOW_SECONDS', 900, { min: 1, max: DAY_SECONDS });
  const lockSeconds = readInteger(env, 'LOCKOUT_SECONDS', 60, { min: 1, max: DAY_SECONDS });
  const maxLockSeconds = readInteger(env, 'LOCKOUT_MAX_SECONDS', 3600, { min: 1, max: 30 * DAY_SECONDS });
  if (maxLockSeconds < lockSeconds) {
    throw new TypeError(`environment variable LOCKOUT_MAX_SECONDS must be at least LOCKOUT_SECONDS (${lockSeconds}), got ${maxLockSeconds}`);
  }
  const shared = { windowSeconds, lockSeconds, maxLockSeconds };
  return {
    userLockout: { maxFailures: readInteger(env, 'LOCKOUT_MAX_FAILURES', 5, { min: 0, max: 1000 }), ...shared },
    clientLockout: { maxFailures: readInteger(env, 'CLIENT_LOCKOUT_MAX_FAILURES', 20, { min: 0, max: 1000 }), ...shared },
  };
}

function validateIssuer(issuer: string): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`environment variable ISSUER must be an absolute URL, got "${issuer}"`);
  }
  // RFC 8414 section 2: the issuer has no query or fragment.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') {
    throw new TypeError(`environment variable ISSUER must be an http(s) URL without query or fragment, got "${issuer}"`);
  }
}

