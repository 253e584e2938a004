/**
 * OAuth 2.0 errors (RFC 6749 section 5.2, RFC 7009 section 2.2.1). The `error` code and
 * `error_description` go to the client; `detail` is for logs only and never leaves the server.
 */

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'server_error'
  | 'temporarily_unavailable';

const STATUS_BY_CODE: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
};

export interface OAuthErrorOptions {
  /** Diagnostic for the logs; never sent to the client. */
  readonly detail?: string;
  /** HTTP status when it differs from the code's usual one (413 for an oversized body). */
  readonly status?: number;
  readonly cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly status: number;
  readonly detail: string | undefined;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.status = options.status ?? STATUS_BY_CODE[code];
    this.detail = options.detail;
  }

  /** Returns the RFC 6749 section 5.2 response body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

export const invalidRequest = (description: string, detail?: string): OAuthError =>
  new OAuthError('invalid_request', description, { detail });

export const invalidClient = (detail: string): OAuthError =>
  new OAuthError('invalid_client', 'client authentication failed', { detail });

export const invalidGrant = (description: string, detail?: string): OAuthError =>
  new OAuthError('invalid_grant', description, { detail });
