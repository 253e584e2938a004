import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../src/config/config.js';
import { generateClientSecret, hashClientSecret } from '../src/oauth/client-secret.js';
import type { Client, GrantType } from '../src/oauth/model.js';
import { hashPassword } from '../src/oauth/password-hash.js';
import { checkPublicClientGrants } from '../src/oauth/registration.js';
import { createStoreKeyProvider } from '../src/runtime/dependencies.js';
import { revokeFamiliesOfSubject } from '../src/oauth/family-revocation.js';
import { ClientRepository } from '../src/store/client-repository.js';
import { DenyListRepository } from '../src/store/deny-list-repository.js';
import { FamilyRepository } from '../src/store/family-repository.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UserRepository } from '../src/store/user-repository.js';

/** The admin operations, independent of argument parsing and output format. */

export interface ClientCreation {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  readonly isPublic: boolean;
  readonly grantTypes: GrantType[];
  readonly scopes: string[];
  readonly audience?: string | undefined;
}

export interface CreatedClient {
  readonly client_id: string;
  /** Present for confidential clients; shown once and never stored in clear. */
  readonly client_secret?: string;
  readonly grant_types: GrantType[];
  readonly scope: string;
  readonly audience?: string;
  readonly secret_generated: boolean;
}

export interface AdminContext {
  readonly config: AuthConfig;
  readonly db: DynamoDBDocumentClient;
  readonly now: () => number;
}

const clientsOf = (context: AdminContext): ClientRepository =>
  new ClientRepository(context.db, context.config.tableName, 0);
const usersOf = (context: AdminContext): UserRepository => new UserRepository(context.db, context.config.tableName);

export async function createClient(context: AdminContext, request: ClientCreation): Promise<CreatedClient> {
  if (request.isPublic) checkPublicClientGrants(request.grantTypes);
  const secret = request.isPublic ? undefined : (request.clientSecret ?? generateClientSecret());
  await clientsOf(context).create({
    clientId: request.clientId,
    secretHash: secret === undefined ? undefined : hashClientSecret(secret),
    grantTypes: request.grantTypes,
    scopes: request.scopes,
    audience: request.audience,
    createdAt: Math.floor(context.now() / 1000),
  });
  return {
    client_id: request.clientId,
    ...(secret === undefined ? {} : { client_secret: secret }),
    grant_types: request.grantTypes,
    scope: request.scopes.join(' '),
    ...(request.audience === undefined ? {} : { audience: request.audience }),
    secret_generated: !request.isPublic && request.clientSecret === undefined,
  };
}

export function listClients(context: AdminContext): Promise<Client[]> {
  return clientsOf(context).list();
}

export function deleteClient(context: AdminContext, clientId: string): Promise<boolean> {
  return clientsOf(context).delete(clientId);
}

export async function createUser(context: AdminContext, username: string, password: string): Promise<{ username: string; sub: string }> {
  const sub = randomUUID();
  await usersOf(context).create({
    username,
    sub,
    passwordHash: await hashPassword(password, context.config.scrypt),
    disabled: false,
    createdAt: Math.floor(context.now() / 1000),
  });
  return { username, sub };
}

export interface DisabledUser {
  readonly sub: string;
  /** Refresh-token families this call revoked, with the access tokens issued from them. */
  readonly familiesRevoked: number;
}

/**
 * Disables a user and revokes all of the user's refresh-token families. Returns undefined
 * when there is no such user. Running it again on a disabled user revokes families that
 * an earlier run missed.
 */
export async function disableUser(context: AdminContext, username: string): Promise<DisabledUser | undefined> {
  const user = await usersOf(context).disable(username);
  if (user === undefined) return undefined;
  const { config, db } = context;
  const familiesRevoked = await revokeFamiliesOfSubject(
    { config, families: new FamilyRepository(db, config.tableName), denyList: new DenyListRepository(db, config.tableName) },
    user.sub,
    Math.floor(context.now() / 1000),
  );
  return { sub: user.sub, familiesRevoked };
}

/** Rotates the signing key of a local store; returns the new `kid`. */
export function rotateLocalKeys(context: AdminContext): Promise<string> {
  return createStoreKeyProvider(context.db, context.config, context.now).rotate();
}
