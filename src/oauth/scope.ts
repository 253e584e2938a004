import { OAuthError } from './errors.js';

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Parses a space-delimited scope value into its distinct tokens, in order of first appearance.
 * Throws `invalid_scope` on anything the RFC 6749 grammar does not allow (empty tokens from
 * doubled, leading or trailing spaces included).
 */
export function parseScope(value: string): string[] {
  const tokens = value.split(' ');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) {
      throw new OAuthError('invalid_scope', 'the "scope" parameter is malformed', {
        detail: `scope token of length ${token.length} does not match the RFC 6749 grammar`,
      });
    }
  }
  return [...new Set(tokens)];
}

export function formatScope(tokens: readonly string[]): string {
  return tokens.join(' ');
}

/**
 * Returns the scope to grant: the requested scope when every token is in `allowed`, or all
 * of `allowed` when none was requested (the client's default scope).
 */
export function resolveScope(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const tokens = parseScope(requested);
  const allowedSet = new Set(allowed);
  const notAllowed = tokens.filter((token) => !allowedSet.has(token));
  if (notAllowed.length > 0) {
    throw new OAuthError('invalid_scope', 'the requested scope is invalid, unknown, or exceeds what was granted', {
      detail: `scope not allowed: ${notAllowed.join(' ')}`,
    });
  }
  return tokens;
}
