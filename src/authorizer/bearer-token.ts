import { TokenRejectedError } from './rejection.js';

/** RFC 6750 section 2.1: `Bearer` (any case), one or more spaces, one b64token. */
const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Returns the token of an `Authorization` value using the Bearer scheme. Throws a
 * `TokenRejectedError` for a missing or empty value, another scheme, more than one token,
 * or a value longer than `maxBytes`, all before any token parsing.
 */
export function extractBearerToken(value: string | undefined, maxBytes: number): string {
  if (value === undefined || value.trim() === '') throw new TokenRejectedError('missing_token');
  // The length check comes first so an oversized value is never run through a regular expression.
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new TokenRejectedError('oversized_token', `authorization value longer than ${maxBytes} bytes`);
  }
  const match = BEARER_CREDENTIALS.exec(value.trim());
  if (match === null) {
    const scheme = /^bearer(?: |$)/i.test(value.trim()) ? 'malformed bearer credentials' : 'not the Bearer scheme';
    throw new TokenRejectedError('invalid_scheme', scheme);
  }
  return match[1]!;
}
