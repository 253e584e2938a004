/**
 * Size limits of request parameters, checked while the form body is parsed, before any
 * store access. Each violation is a 400 with an RFC 6749 error body. Besides bounding the
 * work per request, the limits keep values inside what DynamoDB accepts: a partition key
 * is at most 2048 bytes, and a longer one would fail the request with a `ValidationException`.
 */
import { OAuthError, invalidRequest } from '../oauth/errors.js';

/** Maximum number of parameters in one request body. The largest valid request has about ten. */
export const MAX_PARAMETERS = 32;
/** Maximum length of a parameter name, in characters. */
export const MAX_PARAMETER_NAME_LENGTH = 64;
/** Maximum length of a parameter value without a limit of its own, in characters. */
export const MAX_PARAMETER_LENGTH = 1024;
/** Maximum length of a presented token (`token`, `refresh_token`), in characters; the authorizer's default `MAX_TOKEN_BYTES` is the same. */
export const MAX_TOKEN_LENGTH = 8192;
/** Maximum length of a client id or username, in characters: 256 characters of UTF-8 stay within 1024 bytes of key. */
export const MAX_IDENTIFIER_LENGTH = 256;
/** Maximum number of space-separated values in `scope`. */
export const MAX_SCOPE_VALUES = 50;
/** Maximum length of the `Authorization` header, in characters; a Basic credential with the longest id and secret fits. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

const LENGTH_LIMITS: Readonly<Record<string, number>> = {
  token: MAX_TOKEN_LENGTH,
  refresh_token: MAX_TOKEN_LENGTH,
  client_id: MAX_IDENTIFIER_LENGTH,
  username: MAX_IDENTIFIER_LENGTH,
};

/** Rejects a body with more than {@link MAX_PARAMETERS} parameters. */
export function checkParameterCount(count: number): void {
  if (count > MAX_PARAMETERS) throw invalidRequest(`the request has more than ${MAX_PARAMETERS} parameters`);
}

/** Rejects a parameter whose name, value or scope count exceeds its limit. */
export function checkParameter(name: string, value: string): void {
  if (name.length > MAX_PARAMETER_NAME_LENGTH) {
    throw invalidRequest(`a parameter name exceeds ${MAX_PARAMETER_NAME_LENGTH} characters`);
  }
  const limit = LENGTH_LIMITS[name] ?? MAX_PARAMETER_LENGTH;
  if (value.length > limit) throw invalidRequest(`parameter "${name}" exceeds ${limit} characters`);
  if (name === 'scope' && value.split(' ').length > MAX_SCOPE_VALUES) {
    throw new OAuthError('invalid_scope', `the "scope" parameter has more than ${MAX_SCOPE_VALUES} values`);
  }
}

/** Rejects an `Authorization` header longer than {@link MAX_AUTHORIZATION_LENGTH}. */
export function checkAuthorizationLength(authorization: string): void {
  if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
    throw invalidRequest(`the "Authorization" header exceeds ${MAX_AUTHORIZATION_LENGTH} characters`);
  }
}

/** Rejects a client id from the Basic credential that is longer than a body `client_id` may be. */
export function checkClientIdLength(clientId: string): void {
  if (clientId.length > MAX_IDENTIFIER_LENGTH) {
    throw invalidRequest(`the client id exceeds ${MAX_IDENTIFIER_LENGTH} characters`);
  }
}
