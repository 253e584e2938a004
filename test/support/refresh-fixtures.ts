import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalServer } from '../../local/app.js';
import type { User } from '../../src/oauth/model.js';
import { hashPassword } from '../../src/oauth/password-hash.js';
import { parseRefreshToken } from '../../src/oauth/refresh-token.js';
import { familyKey } from '../../src/store/table.js';
import { basicAuth, postForm, type TestClient } from './local-server.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export type FormResponse = Awaited<ReturnType<typeof postForm>>;

/** Registers a user directly in the server's store. */
export async function createTestUser(server: LocalServer, username: string): Promise<User> {
  const user: User = {
    username,
    sub: randomUUID(),
    passwordHash: await hashPassword(TEST_PASSWORD, server.config.scrypt),
    disabled: false,
    createdAt: Math.floor(Date.now() / 1000),
  };
  await server.deps.users.create(user);
  return user;
}

/** Client authentication headers: Basic for confidential clients, none for public ones (send `client_id` in the body). */
export function authHeaders(client: TestClient): Record<string, string> {
  return client.clientSecret === undefined ? {} : { authorization: basicAuth(client.clientId, client.clientSecret) };
}

function authBody(client: TestClient): Record<string, string> {
  return client.clientSecret === undefined ? { client_id: client.clientId } : {};
}

/** Runs the password grant and returns the response. */
export function login(server: LocalServer, client: TestClient, username: string, scope?: string): Promise<FormResponse> {
  const body: Record<string, string> = { grant_type: 'password', username, password: TEST_PASSWORD, ...authBody(client) };
  if (scope !== undefined) body.scope = scope;
  return postForm(`${server.url}/oauth2/token`, body, authHeaders(client));
}

/** Runs the refresh grant at the token endpoint, or at `/oauth2/refresh` with `path`. */
export function refresh(
  server: LocalServer,
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
  path = '/oauth2/token',
): Promise<FormResponse> {
  const body = { grant_type: 'refresh_token', refresh_token: refreshToken, ...authBody(client), ...extra };
  return postForm(`${server.url}${path}`, body, authHeaders(client));
}

/** POSTs `token` (and optional parameters) to the revocation or introspection endpoint as `client`. */
export function postToken(
  server: LocalServer,
  path: '/oauth2/revoke' | '/oauth2/introspect',
  client: TestClient,
  token: string,
  extra: Record<string, string> = {},
): Promise<FormResponse> {
  return postForm(`${server.url}${path}`, { token, ...authBody(client), ...extra }, authHeaders(client));
}

export function familyIdOf(refreshToken: string): string {
  const parts = parseRefreshToken(refreshToken);
  if (parts === undefined) throw new Error('not a refresh token of this server');
  return parts.familyId;
}

/**
 * Overwrites numeric attributes of a family record in the real store, to move its
 * timestamps into the past instead of waiting for the clock.
 */
export async function setFamilyTimes(
  server: LocalServer,
  familyId: string,
  values: Partial<Record<'expiresAt' | 'lastUsedAt' | 'rotatedAt', number>>,
): Promise<void> {
  const names = Object.keys(values);
  await server.deps.db.send(
    new UpdateCommand({
      TableName: server.config.tableName,
      Key: familyKey(familyId),
      UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
      ExpressionAttributeValues: Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value])),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Reads the claims of a JWT without verifying it, for assertions on tokens the server just issued. */
export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
