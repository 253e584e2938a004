import { SUPPORTED_SIGNING_ALGORITHMS, type AuthConfig, type SigningAlgorithm } from '../config/config.js';
import { MAX_CLOCK_TOLERANCE_SECONDS } from '../oauth/clock-tolerance.js';
import { readBoolean, readInteger, readList, readOptionalString, type Env } from '../config/env.js';
import { parseScopeRules, type ScopeRule } from './scope-rules.js';

/** Settings of the Lambda authorizer. */
export interface AuthorizerConfig {
  /** The only accepted `iss` value. */
  readonly issuer: string;
  /** Accepted `aud` values; a token must name at least one of them. */
  readonly audiences: readonly string[];
  /** Accepted `alg` values: asymmetric algorithms only. */
  readonly algorithms: readonly SigningAlgorithm[];
  readonly scopeRules: readonly ScopeRule[];
  readonly revocationCheck: boolean;
  /** Allow a token when the deny-list cannot be read, instead of rejecting it. */
  readonly revocationFailOpen: boolean;
  /** How long a "not revoked" result from the deny-list is reused, in seconds. */
  readonly denyListCacheSeconds: number;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds. */
  readonly clockToleranceSeconds: number;
  /** Maximum length of the `Authorization` value, in bytes; longer values are rejected unparsed. */
  readonly maxTokenBytes: number;
  /** Minimum time between two key reloads caused by an unknown `kid`, in seconds. */
  readonly keyReloadCooldownSeconds: number;
  /** How many verified tokens are kept in memory; 0 turns the cache off. */
  readonly verifiedTokenCacheSize: number;
  /** HTTP APIs: return `{isAuthorized}` (true) or an IAM policy (false). */
  readonly httpApiSimpleResponses: boolean;
}

/**
 * Reads the authorizer settings from environment variables, on top of the shared
 * configuration that supplies the defaults for `ISSUER` and `AUDIENCE`. Throws a
 * `TypeError` naming the variable on an invalid value, so the function fails at cold start.
 */
export function loadAuthorizerConfig(env: Env, base: AuthConfig): AuthorizerConfig {
  const algorithms = readList(env, 'AUTHORIZER_ALGORITHMS', [base.signingAlgorithm]);
  for (const algorithm of algorithms) {
    if (!(SUPPORTED_SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new TypeError(
        `environment variable AUTHORIZER_ALGORITHMS must list only ${SUPPORTED_SIGNING_ALGORITHMS.join(', ')}, got "${algorithm}"`,
      );
    }
  }
  if (algorithms.length === 0) throw new TypeError('environment variable AUTHORIZER_ALGORITHMS must list at least one algorithm');
  if (base.acceptedAudiences.length === 0) throw new TypeError('environment variable AUDIENCE must list at least one audience');

  const rules = readOptionalString(env, 'SCOPE_RULES');
  return {
    issuer: base.issuer,
    audiences: base.acceptedAudiences,
    algorithms: algorithms as SigningAlgorithm[],
    scopeRules: rules === undefined ? [] : parseScopeRules(rules),
    revocationCheck: readBoolean(env, 'REVOCATION_CHECK', true),
    revocationFailOpen: readBoolean(env, 'REVOCATION_FAIL_OPEN', false),
    denyListCacheSeconds: readInteger(env, 'DENY_LIST_CACHE_SECONDS', 5, { min: 0, max: 300 }),
    clockToleranceSeconds: readInteger(env, 'CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: MAX_CLOCK_TOLERANCE_SECONDS }),
    maxTokenBytes: readInteger(env, 'MAX_TOKEN_BYTES', 8192, { min: 256, max: 65_536 }),
    keyReloadCooldownSeconds: readInteger(env, 'KEY_RELOAD_COOLDOWN_SECONDS', 10, { min: 0, max: 3600 }),
    verifiedTokenCacheSize: readInteger(env, 'VERIFIED_TOKEN_CACHE_SIZE', 1000, { min: 0, max: 100_000 }),
    httpApiSimpleResponses: readBoolean(env, 'HTTP_API_SIMPLE_RESPONSES', true),
  };
}
