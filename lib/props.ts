/**
 * Properties of the `AuthBackend` construct, their defaults, and the checks that reject an
 * invalid combination at synth time, before anything is deployed.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SUPPORTED_SIGNING_ALGORITHMS, type SigningAlgorithm } from '../src/config/config.js';
import { parseScopeRules } from '../src/authorizer/scope-rules.js';

/** Steady-state request rate (requests per second) and burst (concurrent requests) of an API stage or method. */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Memory (MiB) of each function; see docs/deployment.md for how the defaults were measured. */
export interface FunctionMemorySizes {
  readonly token?: number;
  readonly refresh?: number;
  readonly revoke?: number;
  readonly introspect?: number;
  readonly wellKnown?: number;
  readonly authorizer?: number;
  readonly keyRotation?: number;
}

/** AWS WAF protection of the REST API stage. */
export type WafOption =
  /** A new web ACL with AWS managed rule groups and a per-IP rate limit. */
  | { readonly create: true; readonly rateLimitPer5Minutes?: number }
  /** An existing regional web ACL. */
  | { readonly webAclArn: string };

export interface AuthBackendProps {
  /**
   * Issuer URL put in `iss`, and the base of every endpoint URL in the metadata. Set it when
   * a custom domain fronts the API.
   * @default - the REST API's execute-api URL including the stage, `https://<id>.execute-api.<region>.<suffix>/<stage>`
   */
  readonly issuer?: string;
  /**
   * Audience put in tokens of clients that have none of their own.
   * @default - the issuer
   */
  readonly defaultAudience?: string;
  /**
   * Audiences the authorizer accepts.
   * @default - the default audience only
   */
  readonly acceptedAudiences?: string[];
  /** Access-token lifetime, 1 second to 1 day. @default Duration.minutes(15) */
  readonly accessTokenTtl?: Duration;
  /** Absolute refresh-token lifetime, 1 second to 365 days. @default Duration.days(30) */
  readonly refreshTokenTtl?: Duration;
  /** Maximum time between two uses of a refresh-token family. @default - no idle timeout */
  readonly refreshTokenIdleTimeout?: Duration;
  /**
   * Grace window after a refresh-token rotation in which the previous token returns the same
   * successor instead of counting as reuse, at most 300 seconds.
   * @default Duration.seconds(0)
   */
  readonly refreshReuseGraceWindow?: Duration;
  /** Signing algorithm; keep RS256 to use API Gateway's native JWT authorizer, which accepts only RSA keys. @default 'RS256' */
  readonly signingAlgorithm?: SigningAlgorithm;
  /** Interval of the scheduled signing-key rotation, 4 hours to 1000 days. @default Duration.days(30) */
  readonly keyRotationInterval?: Duration;
  /** How long functions reuse keys read from Secrets Manager or the table, at most 1 hour. @default Duration.minutes(5) */
  readonly keyCacheTtl?: Duration;
  /**
   * Route-to-scope rules of the authorizer: keys are `METHOD /path` patterns (`*` matches any
   * sequence), values are space-separated scopes that are all required.
   * @default - no rule, so every valid token is allowed
   * @example { 'GET /demo/admin': 'admin' }
   */
  readonly scopeRules?: Record<string, string>;
  /**
   * How long API Gateway caches an authorizer result, 0 to 1 hour. A cached allow outlives a
   * revocation for up to this long.
   * @default Duration.seconds(0)
   */
  readonly authorizerCacheTtl?: Duration;
  /** Stage-wide throttling of the REST API. @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttling?: ThrottleLimits;
  /** Stricter throttling of the token-issuing methods (`POST /oauth2/token` and `POST /oauth2/refresh`). @default { rateLimit: 20, burstLimit: 40 } */
  readonly tokenEndpointThrottling?: ThrottleLimits;
  /** Removal policy of the table, the secrets and the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Deletion protection of the table. @default true */
  readonly tableDeletionProtection?: boolean;
  /** AWS WAF web ACL on the REST API stage. @default - none */
  readonly waf?: WafOption;
  /** Retention of every function's and the API's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Stage name of the REST API; it is part of the default issuer URL. @default 'prod' */
  readonly stageName?: string;
  /** Memory of each function in MiB. @default - measured sizes, see FunctionMemorySizes */
  readonly memorySizes?: FunctionMemorySizes;
  /** CloudWatch metric namespace of the business metrics. @default 'ServerlessOAuth2' */
  readonly metricsNamespace?: string;
  /** Topic notified by the alarms. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
  /** Average 5xx rate (0 to 1) of the REST API over 5 minutes that raises the alarm. @default 0.05 */
  readonly serverErrorRateThreshold?: number;
}

export const DEFAULT_MEMORY_SIZES: Required<FunctionMemorySizes> = {
  token: 1024,
  refresh: 512,
  revoke: 512,
  introspect: 512,
  wellKnown: 256,
  authorizer: 512,
  keyRotation: 512,
};

/** Props after defaults, in the units the functions' environment uses. */
export interface ResolvedProps {
  readonly issuer: string | undefined;
  readonly defaultAudience: string | undefined;
  readonly acceptedAudiences: string[] | undefined;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly refreshTokenIdleSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly keyRotationInterval: Duration;
  readonly keyCacheSeconds: number;
  readonly scopeRules: Record<string, string>;
  readonly authorizerCacheTtl: Duration;
  readonly throttling: ThrottleLimits;
  readonly tokenEndpointThrottling: ThrottleLimits;
  readonly removalPolicy: RemovalPolicy;
  readonly tableDeletionProtection: boolean;
  readonly waf: WafOption | undefined;
  readonly logRetention: logs.RetentionDays;
  readonly stageName: string;
  readonly memorySizes: Required<FunctionMemorySizes>;
  readonly metricsNamespace: string;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly serverErrorRateThreshold: number;
}

const DAY_SECONDS = 86_400;

/** Applies the defaults and checks every value; throws an `Error` naming the invalid prop. */
export function resolveProps(props: AuthBackendProps): ResolvedProps {
  const accessTokenTtlSeconds = seconds('accessTokenTtl', props.accessTokenTtl ?? Duration.minutes(15), 1, DAY_SECONDS);
  const signingAlgorithm = props.signingAlgorithm ?? 'RS256';
  if (!(SUPPORTED_SIGNING_ALGORITHMS as readonly string[]).includes(signingAlgorithm)) {
    throw new Error(`Invalid signingAlgorithm submitted - ${String(signingAlgorithm)}; use one of ${SUPPORTED_SIGNING_ALGORITHMS.join(', ')}`);
  }
  if (props.issuer !== undefined) checkIssuer(props.issuer);
  if (props.acceptedAudiences !== undefined && props.acceptedAudiences.length === 0) {
    throw new Error('Invalid acceptedAudiences submitted - the list is empty; omit it to accept the default audience');
  }

  const scopeRules = props.scopeRules ?? {};
  // Parsing here rejects a malformed rule at synth time with the authorizer's own checks.
  parseScopeRules(JSON.stringify(scopeRules), 'scopeRules');

  const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };
  const tokenEndpointThrottling = props.tokenEndpointThrottling ?? { rateLimit: 20, burstLimit: 40 };
  checkThrottle('throttling', throttling);
  checkThrottle('tokenEndpointThrottling', tokenEndpointThrottling);
  if (tokenEndpointThrottling.rateLimit > throttling.rateLimit || tokenEndpointThrottling.burstLimit > throttling.burstLimit) {
    throw new Error('Invalid tokenEndpointThrottling submitted - it must not exceed the stage-wide throttling');
  }

  const authorizerCacheTtl = props.authorizerCacheTtl ?? Duration.seconds(0);
  seconds('authorizerCacheTtl', authorizerCacheTtl, 0, 3600);

  const keyRotationInterval = props.keyRotationInterval ?? Duration.days(30);
  seconds('keyRotationInterval', keyRotationInterval, 4 * 3600, 1000 * DAY_SECONDS);

  const serverErrorRateThreshold = props.serverErrorRateThreshold ?? 0.05;
  if (!(serverErrorRateThreshold > 0 && serverErrorRateThreshold <= 1)) {
    throw new Error(`Invalid serverErrorRateThreshold submitted - ${serverErrorRateThreshold}; use a rate above 0 and at most 1`);
  }

  const memorySizes = { ...DEFAULT_MEMORY_SIZES, ...props.memorySizes };
  for (const [name, size] of Object.entries(memorySizes)) {
    if (!Number.isInteger(size) || size < 128 || size > 10_240) {
      throw new Error(`Invalid memorySizes.${name} submitted - ${size}; use a whole number of MiB from 128 to 10240`);
    }
  }

  return {
    issuer: props.issuer,
    defaultAudience: props.defaultAudience,
    acceptedAudiences: props.acceptedAudiences,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds: seconds('refreshTokenTtl', props.refreshTokenTtl ?? Duration.days(30), 1, 365 * DAY_SECONDS),
    refreshTokenIdleSeconds: seconds('refreshTokenIdleTimeout', props.refreshTokenIdleTimeout ?? Duration.seconds(0), 0, 365 * DAY_SECONDS),
    refreshReuseGraceSeconds: seconds('refreshReuseGraceWindow', props.refreshReuseGraceWindow ?? Duration.seconds(0), 0, 300),
    signingAlgorithm,
    keyRotationInterval,
    keyCacheSeconds: seconds('keyCacheTtl', props.keyCacheTtl ?? Duration.minutes(5), 0, 3600),
    scopeRules,
    authorizerCacheTtl,
    throttling,
    tokenEndpointThrottling,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    tableDeletionProtection: props.tableDeletionProtection ?? true,
    waf: props.waf,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    stageName: props.stageName ?? 'prod',
    memorySizes,
    metricsNamespace: props.metricsNamespace ?? 'ServerlessOAuth2',
    alarmTopic: props.alarmTopic,
    serverErrorRateThreshold,
  };
}

/** Converts a duration to whole seconds within `[min, max]`. */
function seconds(name: string, duration: Duration, min: number, max: number): number {
  const value = duration.toSeconds();
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Invalid ${name} submitted - ${duration.toHumanString()}; use whole seconds from ${min} to ${max}`);
  }
  return value;
}

function checkThrottle(name: string, limits: ThrottleLimits): void {
  if (!(limits.rateLimit > 0) || !Number.isInteger(limits.burstLimit) || limits.burstLimit < 1) {
    throw new Error(`Invalid ${name} submitted - rateLimit must be above 0 and burstLimit a whole number of at least 1`);
  }
}

/** RFC 8414 section 2: an https URL without query or fragment. Unresolved tokens are checked at deployment. */
function checkIssuer(issuer: string): void {
  if (Token.isUnresolved(issuer)) return;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`Invalid issuer submitted - ${issuer}; use an absolute https URL`);
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || issuer.endsWith('/')) {
    throw new Error(`Invalid issuer submitted - ${issuer}; use an https URL without query, fragment or trailing slash`);
  }
}
