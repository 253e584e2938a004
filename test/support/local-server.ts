import { randomUUID } from 'node:crypto';
import { startLocalServer, type LocalServer } from '../../local/app.js';
import { hashClientSecret } from '../../src/oauth/client-secret.js';
import type { GrantType } from '../../src/oauth/model.js';

/**
 * Starts the local server in this process on a free loopback port, with its own table.
 * With `DYNAMODB_ENDPOINT` set (DynamoDB Local in CI) the table is created there; otherwise
 * an in-memory embedded store is started for this server alone.
 */
export function startTestServer(env: Record<string, string> = {}): Promise<LocalServer> {
  return startLocalServer({
    ...process.env,
    PORT: '0',
    DYNAMODB_PORT: '0',
    LOCAL_DATA_DIR: 'memory',
    ISSUER: '',
    TABLE_NAME: `test-${randomUUID()}`,
    ...env,
  });
}

export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

/** Registers a client directly in the server's store. */
export async function createTestClient(
  server: LocalServer,
  options: { clientId: string; secret?: string | null; grantTypes?: GrantType[]; scopes?: string[]; audience?: string },
): Promise<TestClient> {
  const secret = options.secret === null ? undefined : (options.secret ?? `${options.clientId}-secret-0123456789`);
  await server.deps.clients.create({
    clientId: options.clientId,
    secretHash: secret === undefined ? undefined : hashClientSecret(secret),
    grantTypes: options.grantTypes ?? ['client_credentials'],
    scopes: options.scopes ?? ['read', 'write'],
    audience: options.audience,
    createdAt: Math.floor(Date.now() / 1000),
  });
  return { clientId: options.clientId, clientSecret: secret };
}

export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POSTs a form to the server and returns status, headers and parsed JSON body. */
export async function postForm(
  url: string,
  body: string | Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}
