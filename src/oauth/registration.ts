import { GRANT_TYPES, isGrantType, type GrantType } from './model.js';
import { parseScope } from './scope.js';

/** Validation of client and user records before they are stored; errors are plain messages for the admin CLI. */

export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationError';
  }
}

/** RFC 6749 appendix A.1: client-id = *VSCHAR (%x20-7E). Empty ids and overlong ones are rejected too. */
const CLIENT_ID = /^[\x20-\x7E]{1,128}$/;
/** Printable characters without controls; 128 characters at most. */
const USERNAME = /^[^\p{Cc}]{1,128}$/u;
export const MAX_PASSWORD_LENGTH = 1024;

/** The shape of user `sub` values (random UUIDs). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a client id. A client_credentials token carries the client id as `sub`, so ids in
 * the form of user subjects (UUIDs) are rejected: RFC 9068 section 5 warns that a client
 * whose id equals a user's `sub` could be mistaken for that user.
 */
export function validateClientId(clientId: string): string {
  if (!CLIENT_ID.test(clientId)) {
    throw new RegistrationError(`invalid client id "${clientId}": use 1 to 128 printable ASCII characters`);
  }
  if (UUID.test(clientId)) {
    throw new RegistrationError(`invalid client id "${clientId}": a UUID could equal a user's sub; choose another id`);
  }
  return clientId;
}

/** Shortest client secret the CLI accepts without a warning; generated secrets have 43 characters. */
export const RECOMMENDED_SECRET_LENGTH = 32;

export function parseGrantTypes(list: string): GrantType[] {
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new RegistrationError(`invalid grant types "${list}": name at least one of ${GRANT_TYPES.join(', ')}`);
  for (const name of names) {
    if (!isGrantType(name)) throw new RegistrationError(`invalid grant type "${name}": expected one of ${GRANT_TYPES.join(', ')}`);
  }
  return [...new Set(names as GrantType[])];
}

export function parseClientScopes(value: string): string[] {
  try {
    return parseScope(value.trim());
  } catch {
    throw new RegistrationError(`invalid scope "${value}": use space-separated scope tokens without quotes or backslashes`);
  }
}

/** RFC 6749 section 4.4: only confidential clients may use the client credentials grant. */
export function checkPublicClientGrants(grantTypes: readonly GrantType[]): void {
  if (grantTypes.includes('client_credentials')) {
    throw new RegistrationError('a public client cannot use the client_credentials grant; drop --public or the grant');
  }
}

export function validateAudience(audience: string): string {
  if (audience.trim() === '' || audience.length > 512) throw new RegistrationError(`invalid audience "${audience}"`);
  return audience;
}

export function validateUsername(username: string): string {
  if (!USERNAME.test(username) || username.trim() !== username) {
    throw new RegistrationError('invalid username: use 1 to 128 characters without control characters or surrounding spaces');
  }
  return username;
}

export function validatePassword(password: string): string {
  if (password === '') throw new RegistrationError('invalid password: it must not be empty');
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new RegistrationError(`invalid password: it must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}
