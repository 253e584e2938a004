import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { basicAuth, postForm } from './support/local-server.js';
import { run, start, type BackgroundProcess } from './support/processes.js';

/**
 * Runs `npm start` and `npm run admin` as a newcomer would, as separate processes talking over
 * loopback, with a persisted store in a temporary folder.
 */
describe('npm start', () => {
  let dataDir: string;
  let server: BackgroundProcess;
  let issuer: string;
  let dynamoEndpoint: string;

  const serverEnv = (): Record<string, string> => ({ PORT: '0', DYNAMODB_PORT: '0', LOCAL_DATA_DIR: dataDir, ISSUER: '', DYNAMODB_ENDPOINT: '', TABLE_NAME: '' });

  async function startServer(): Promise<void> {
    server = start('npm', ['start'], serverEnv());
    [, issuer = ''] = await server.waitFor(/Issuer:\s+(\S+)/);
    [, dynamoEndpoint = ''] = await server.waitFor(/DynamoDB endpoint:\s+(\S+)/);
    await server.waitFor(/Get an access token:\n\s+(curl .+)\n/);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'auth-local-'));
    await startServer();
  });

  afterAll(async () => {
    await server.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = (args: string[], input?: string) =>
    run('npm', ['run', '--silent', 'admin', '--', ...args], { DYNAMODB_ENDPOINT: dynamoEndpoint, TABLE_NAME: '' }, input);

  it('prints a curl command that returns a verifiable token', async () => {
    const [, curl = ''] = await server.waitFor(/Get an access token:\n\s+(curl .+)\n/);

    const result = await run('bash', ['-c', curl], {});
    const response = JSON.parse(result.stdout) as { access_token: string; token_type: string };

    expect(response.token_type).toBe('Bearer');
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(response.access_token, jwks, { issuer, audience: issuer, typ: 'at+jwt' });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('serves credentials made by the admin CLI at once', async () => {
    const client = await admin(['client', 'create', '--client-id', 'cli-app', '--grant-types', 'client_credentials,password,refresh_token', '--scope', 'read write', '--json']);
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    const { client_secret: secret } = JSON.parse(client.stdout) as { client_secret: string };
    const user = await admin(['user', 'create', '--username', 'carol', '--password-stdin', '--json'], 'carol password\n');
    expect(user.code).toBe(0);

    const password = await postForm(`${issuer}/oauth2/token`, { grant_type: 'password', username: 'carol', password: 'carol password' }, { authorization: basicAuth('cli-app', secret) });
    const credentials = await postForm(`${issuer}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basicAuth('cli-app', secret) });

    expect(password.status).toBe(200);
    expect(password.json.refresh_token).toBeDefined();
    expect(credentials.status).toBe(200);
    expect(credentials.json.scope).toBe('read');
  });

  it('refuses a second server on the same folder', async () => {
    const result = await run('npm', ['start'], serverEnv());

    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`the store folder ${dataDir} is in use by another local server`);
  });

  it('rejects a missing CLI command', async () => {
    const result = await admin([]);

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error: missing command; run with --help');
  });

  it('rejects bad CLI input with one line and a non-zero exit', async () => {
    const result = await admin(['client', 'create', '--client-id', 'bad', '--grant-types', 'implicit', '--scope', 'read']);

    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('invalid grant type "implicit"');
  });

  it('stops on SIGTERM and keeps its data across restarts', async () => {
    const jwksBefore = await (await fetch(`${issuer}/.well-known/jwks.json`)).text();
    const [, curlBefore = ''] = await server.waitFor(/Get an access token:\n\s+(curl .+)\n/);

    // Only npm gets the signal, as from a process manager; it must reach the server through npm.
    const code = await server.stop('SIGTERM', { groupWide: false });
    expect(server.output()).toContain('Received SIGTERM, shutting down');
    expect(server.output()).not.toMatch(/shutdown failed/);
    expect(code).toBe(0);
    await expect(fetch(`${issuer}/.well-known/jwks.json`)).rejects.toThrow();

    await startServer();
    const [, curlAfter = ''] = await server.waitFor(/Get an access token:\n\s+(curl .+)\n/);
    const jwksAfter = await (await fetch(`${issuer}/.well-known/jwks.json`)).text();
    const clients = await admin(['client', 'list', '--json']);

    expect(JSON.parse(jwksAfter)).toEqual(JSON.parse(jwksBefore));
    expect(curlAfter.replace(/127\.0\.0\.1:\d+/, '')).toBe(curlBefore.replace(/127\.0\.0\.1:\d+/, ''));
    expect((JSON.parse(clients.stdout) as { client_id: string }[]).map((client) => client.client_id)).toEqual(['cli-app', 'demo-client']);
  });

  it('stops printing demo credentials once the demo client is gone', async () => {
    const deleted = await admin(['client', 'delete', '--client-id', 'demo-client']);
    expect(deleted.code).toBe(0);

    await server.stop('SIGTERM', { groupWide: false });
    server = start('npm', ['start'], serverEnv());
    await server.waitFor(/Issuer:\s+(\S+)/);
    await server.waitFor(/The store already has clients/);

    expect(server.output()).not.toContain('Demo client:');
  });
});
