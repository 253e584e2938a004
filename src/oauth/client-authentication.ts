import { invalidClient, invalidRequest } from './errors.js';
import { hashedReference } from './hashed-reference.js';
import type { FormParameters } from './form-parameters.js';
import { verifyClientSecret } from './client-secret.js';
import type { ClientSecretLockout } from './lockout.js';
import { checkAuthorizationLength, checkClientIdLength } from '../security/input-limits.js';
import { isPublicClient, type Client } from './model.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientCredentials {
  readonly clientId: string;
  readonly secret: string | undefined;
  readonly method: ClientAuthMethod;
}

/** Looks up clients by id; the token, revocation and introspection endpoints share it. */
export interface ClientLookup {
  find(clientId: string): Promise<Client | undefined>;
  /** Brute-force protection of client secrets; without it wrong secrets are not counted. */
  readonly secretLockout?: ClientSecretLockout | undefined;
}

const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** RFC 6749 section 2.3.1: id and secret are form-encoded before they go into the Basic header. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const match = BASIC.exec(header);
  if (match === null) throw invalidClient('authorization header is not a well-formed Basic credential');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(match[1] ?? '', 'base64'));
  } catch {
    throw invalidClient('basic credential is not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('basic credential has no ":" separator');
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('basic credential has malformed percent-encoding');
  }
}

/**
 * Extracts the client's credentials from the Authorization header or the body (RFC 6749
 * section 2.3). Using two methods at once is `invalid_request`; presenting none is `invalid_client`.
 */
export function extractClientCredentials(
  authorization: string | undefined,
  params: FormParameters,
): ClientCredentials {
  const bodyClientId = params.get('client_id');
  const bodySecret = params.get('client_secret');

  if (authorization !== undefined) {
    checkAuthorizationLength(authorization);
    const basic = parseBasic(authorization);
    checkClientIdLength(basic.clientId);
    if (bodySecret !== undefined) {
      throw invalidRequest('client authentication must use only one method', 'client_secret in body and Basic header');
    }
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      throw invalidRequest('"client_id" does not match the authenticated client');
    }
    if (basic.clientId === '') throw invalidClient('basic credential has an empty client id');
    return { clientId: basic.clientId, secret: basic.secret === '' ? undefined : basic.secret, method: 'client_secret_basic' };
  }

  if (bodyClientId === undefined) {
    throw invalidClient(bodySecret === undefined ? 'no client authentication' : 'client_secret without client_id');
  }
  return {
    clientId: bodyClientId,
    secret: bodySecret,
    method: bodySecret === undefined ? 'none' : 'client_secret_post',
  };
}

/**
 * Authenticates a client. Confidential clients must present their secret; public clients
 * must present none. An unknown client is checked against a dummy hash so it costs the same
 * time as a wrong secret. A locked client is rejected even with the right secret, after the
 * same comparison and the same counter write as a wrong one.
 */
export async function authenticateClient(lookup: ClientLookup, credentials: ClientCredentials): Promise<Client> {
  const client = await lookup.find(credentials.clientId);
  const lockout = lookup.secretLockout;

  if (client === undefined) {
    verifyClientSecret(credentials.secret ?? '', undefined);
    // The presented id may be a secret typed into the wrong field, so only a hash of it is logged.
    throw invalidClient(`unknown client ${hashedReference('client-id', credentials.clientId)}`);
  }
  if (isPublicClient(client)) {
    if (credentials.secret !== undefined) throw invalidClient(`public client "${client.clientId}" sent a secret`);
    return client;
  }
  if (credentials.secret === undefined) {
    throw invalidClient(`confidential client "${client.clientId}" sent no secret`);
  }
  const locked = lockout?.isLocked(client.clientId) === true;
  const valid = verifyClientSecret(credentials.secret, client.secretHash);
  if (locked || !valid) {
    await lockout?.recordFailure(client.clientId);
    throw invalidClient(locked ? `client "${client.clientId}" is locked` : `wrong secret for client "${client.clientId}"`);
  }
  if (lockout !== undefined && !(await lockout.recordSuccess(client.clientId))) {
    // Another request locked the client after this process read its counters.
    throw invalidClient(`client "${client.clientId}" is locked`);
  }
  return client;
}
