import type { VerificationKeySource } from '../keys/key-provider.js';
import { extractBearerToken } from './bearer-token.js';
import type { AuthorizerConfig } from './config.js';
import { KeyRing } from './key-ring.js';
import { buildPolicy, unsatisfiedRules, type PolicyDocument, type RouteArn } from './policy.js';
import { RevocationChecker, type DenyListReader } from './revocation.js';
import { AccessTokenVerifier } from './verify-token.js';

/**
 * Values API Gateway passes on to the integration. Every value is a string, because API
 * Gateway fails the whole request with a 500 when a context value is an object or array.
 */
export interface AuthorizerContext {
  readonly sub: string;
  readonly client_id: string;
  readonly scope: string;
  readonly jti: string;
  [key: string]: string;
}

/** The outcome for a valid token: a policy for every route, and whether this route is allowed. */
export interface AuthorizationDecision {
  readonly principalId: string;
  readonly context: AuthorizerContext;
  readonly policy: PolicyDocument;
  /** False when the token lacks a scope that this route requires (a 403). */
  readonly routeAllowed: boolean;
  /** The scope rules this route failed, for the log. */
  readonly missingRules: readonly string[];
  readonly kid: string;
}

export interface AuthorizerDependencies {
  readonly config: AuthorizerConfig;
  /** Public keys only; the authorizer never creates or writes keys. */
  readonly keys: VerificationKeySource;
  readonly denyList: DenyListReader;
  readonly now?: () => number;
  /** Called when the deny-list read fails, with whether the token was let through anyway. */
  readonly onRevocationStoreError?: (error: unknown, details: { jti: string; client_id: string; allowed: boolean }) => void;
}

/** Maximum number of cached deny-list results. */
const REVOCATION_CACHE_ENTRIES = 10_000;

/**
 * The authorizer's decision logic, free of Lambda event types. Build it once per container,
 * because it contains the key, verified-token and deny-list caches.
 */
export class Authorizer {
  private readonly verifier: AccessTokenVerifier;
  private readonly revocation: RevocationChecker | undefined;

  constructor(private readonly deps: AuthorizerDependencies) {
    const now = deps.now ?? Date.now;
    const { config } = deps;
    const keyRing = new KeyRing(deps.keys, { reloadCooldownMs: config.keyReloadCooldownSeconds * 1000, now });
    this.verifier = new AccessTokenVerifier(keyRing, {
      issuer: config.issuer,
      audiences: config.audiences,
      algorithms: config.algorithms,
      clockToleranceSeconds: config.clockToleranceSeconds,
      cacheSize: config.verifiedTokenCacheSize,
      now,
    });
    if (config.revocationCheck) {
      this.revocation = new RevocationChecker(deps.denyList, {
        cacheSeconds: config.denyListCacheSeconds,
        failOpen: config.revocationFailOpen,
        maxEntries: REVOCATION_CACHE_ENTRIES,
        now,
        onStoreError: (error, claims, allowed) =>
          deps.onRevocationStoreError?.(error, { jti: claims.jti, client_id: claims.client_id, allowed }),
      });
    }
  }

  /**
   * Decides on a request to `route` carrying the `Authorization` value `authorization`.
   * Throws a `TokenRejectedError` (a 401) unless the token is a valid, unrevoked access token.
   */
  async authorize(authorization: string | undefined, route: RouteArn): Promise<AuthorizationDecision> {
    const token = extractBearerToken(authorization, this.deps.config.maxTokenBytes);
    const { claims, kid } = await this.verifier.verify(token);
    await this.revocation?.check(claims);

    const granted = new Set(claims.scope === '' ? [] : claims.scope.split(' '));
    const rules = this.deps.config.scopeRules;
    const missing = unsatisfiedRules(rules, route.route, granted);
    return {
      principalId: claims.sub,
      context: { sub: claims.sub, client_id: claims.client_id, scope: claims.scope, jti: claims.jti },
      policy: buildPolicy(route.stagePrefix, rules, granted),
      routeAllowed: missing.length === 0,
      missingRules: missing.map((rule) => rule.key),
      kid,
    };
  }
}
