import { OAuthError } from './errors.js';

/** The token types this server issues and can revoke or introspect. */
export type TokenKind = 'access_token' | 'refresh_token';

/** Accepted `token_type_hint` values: RFC 7009 section 2.1 names and their RFC 8693 URNs. */
const HINTS: ReadonlyMap<string, TokenKind> = new Map([
  ['access_token', 'access_token'],
  ['refresh_token', 'refresh_token'],
  ['urn:ietf:params:oauth:token-type:access_token', 'access_token'],
  ['urn:ietf:params:oauth:token-type:refresh_token', 'refresh_token'],
]);

/**
 * Returns the token types to try, the hinted one first. The hint only orders the search
 * (RFC 7009 section 2.1 requires searching every supported type when the hinted one does
 * not match), so a wrong hint changes nothing but the order.
 *
 * An unrecognized hint is ignored when `onUnknown` is `'ignore'` (introspection). With
 * `'reject'` (revocation) it is `unsupported_token_type`: the client declared a type
 * this server cannot revoke, which is the case RFC 7009 section 2.2.1 names.
 */
export function tokenSearchOrder(hint: string | undefined, onUnknown: 'ignore' | 'reject'): TokenKind[] {
  // A Map, unlike a plain object, has no inherited keys such as "toString" or "__proto__".
  const kind = hint === undefined ? undefined : HINTS.get(hint);
  if (hint !== undefined && kind === undefined && onUnknown === 'reject') {
    throw new OAuthError('unsupported_token_type', 'the server does not support revoking this token type', {
      detail: `token_type_hint of length ${hint.length}`,
    });
  }
  return kind === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
}
