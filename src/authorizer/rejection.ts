/**
 * Why the authorizer rejected a request. Every code is logged before the request is denied
 * and never sent to the caller, who receives only 401 `Unauthorized` or 403.
 */
export type RejectionReason =
  | 'unknown_event'
  | 'missing_token'
  | 'ambiguous_token'
  | 'invalid_scheme'
  | 'oversized_token'
  | 'malformed_token'
  | 'encrypted_token'
  | 'disallowed_header'
  | 'algorithm_not_allowed'
  | 'invalid_typ'
  | 'unknown_kid'
  | 'invalid_signature'
  | 'invalid_claims'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'revoked'
  | 'revocation_check_failed'
  | 'key_load_failed'
  | 'internal_error';

/** A request that must get a 401: no token, or one that is not a valid access token. */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';

  constructor(
    readonly reason: RejectionReason,
    /** Diagnostic for the log; never contains the token. */
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(`token rejected: ${reason}`, options);
  }
}
