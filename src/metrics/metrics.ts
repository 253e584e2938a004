/**
 * Business metrics in CloudWatch embedded metric format, through Powertools Metrics. Each
 * call writes one EMF line at once (a single metric with its own dimensions), so no flush
 * middleware is needed and a metric recorded in a failed invocation is not lost.
 *
 * Outside Lambda (the local server, tests) nothing is written unless
 * `POWERTOOLS_METRICS_DISABLED=false` is set, so local logs stay readable.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, DIMENSION, METRIC, METRICS_SERVICE } from './metric-names.js';

let metrics: Metrics | undefined;

function isEnabled(): boolean {
  return process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined || process.env.POWERTOOLS_METRICS_DISABLED !== undefined;
}

function emit(name: string, dimensions: Record<string, string> = {}): void {
  if (!isEnabled()) return;
  metrics ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
  });
  const single = metrics.singleMetric();
  for (const [dimension, value] of Object.entries(dimensions)) single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, 1);
}

/** Counts an issued access token. */
export function recordTokenIssued(grantType: string): void {
  emit(METRIC.tokensIssued, { [DIMENSION.grantType]: grantType });
}

/** Counts an OAuth error response by its RFC 6749 `error` code. */
export function recordOAuthError(errorCode: string): void {
  emit(METRIC.oauthErrors, { [DIMENSION.errorCode]: errorCode });
}

/** Counts a detected refresh-token reuse (a rotated token presented again). */
export function recordRefreshTokenReuse(): void {
  emit(METRIC.refreshTokenReuse);
}

/** Counts an authorizer decision. */
export function recordAuthorizerDecision(decision: 'allow' | 'deny'): void {
  emit(decision === 'allow' ? METRIC.authorizerAllow : METRIC.authorizerDeny);
}

/** Counts a lockout of a username or client id after repeated failed authentication. */
export function recordLockout(kind: 'user' | 'client'): void {
  emit(METRIC.lockouts, { [DIMENSION.lockKind]: kind });
}

/** Drops the cached Metrics instance, so a test can change the environment between calls. */
export function resetMetricsForTests(): void {
  metrics = undefined;
}
