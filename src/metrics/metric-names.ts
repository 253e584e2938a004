/**
 * Names of the CloudWatch metrics the functions emit (embedded metric format) and the
 * dashboard and alarms read. Kept free of runtime dependencies, so the CDK app imports it too.
 */

/** Namespace used unless `POWERTOOLS_METRICS_NAMESPACE` names another. */
export const DEFAULT_METRICS_NAMESPACE = 'ServerlessOAuth2';

/** Value of the `service` dimension that Powertools adds to every metric; the same for all functions. */
export const METRICS_SERVICE = 'auth-backend';

export const METRIC = {
  /** Access tokens issued, dimension `GrantType`. */
  tokensIssued: 'TokensIssued',
  /** OAuth error responses, dimension `ErrorCode` (RFC 6749 `error` value). */
  oauthErrors: 'OAuthErrors',
  /** Refresh tokens presented again after they were rotated, each revoking its family. */
  refreshTokenReuse: 'RefreshTokenReuseDetected',
  /** Requests the Lambda authorizer allowed. */
  authorizerAllow: 'AuthorizerAllow',
  /** Requests the Lambda authorizer denied (401 and 403). */
  authorizerDeny: 'AuthorizerDeny',
  /** Usernames or client ids locked after repeated failed authentication, dimension `LockKind` (`user` or `client`). */
  lockouts: 'Lockouts',
} as const;

export const DIMENSION = {
  service: 'service',
  grantType: 'GrantType',
  errorCode: 'ErrorCode',
  lockKind: 'LockKind',
} as const;

/** Grant types the dashboard shows a line for. */
export const DASHBOARD_GRANT_TYPES = ['client_credentials', 'password', 'refresh_token'] as const;

/** Error codes the dashboard shows a line for: the OAuth codes the endpoints return. */
export const DASHBOARD_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'server_error',
  'temporarily_unavailable',
] as const;
