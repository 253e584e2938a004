import type { LocalServer } from '../local/app.js';
import { MAX_BODY_BYTES } from '../src/http/form-body.js';
import {
  MAX_AUTHORIZATION_LENGTH,
  MAX_IDENTIFIER_LENGTH,
  MAX_PARAMETER_LENGTH,
  MAX_PARAMETERS,
  MAX_SCOPE_VALUES,
  MAX_TOKEN_LENGTH,
} from '../src/security/input-limits.js';
import { snapshotTable } from './support/store-faults.js';
import { basicAuth, createTestClient, startTestServer, type TestClient } from './support/local-server.js';

interface RawResponse {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly cacheControl: string | null;
}

async function send(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<RawResponse> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown>, cacheControl: response.headers.get('cache-control') };
}

/** Oversized, malformed and binary requests at every form endpoint, over real HTTP. */
describe('input limits', () => {
  let server: LocalServer;
  let client: TestClient;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const auth = (): Record<string, string> => ({ ...form, authorization: basicAuth(client.clientId, client.clientSecret!) });
  const long = (length: number): string => 'a'.repeat(length);
  const url = (path: string): string => `${server.url}${path}`;

  beforeAll(async () => {
    server = await startTestServer();
    client = await createTestClient(server, { clientId: 'limits-client', grantTypes: ['client_credentials', 'password', 'refresh_token'] });
  });

  afterAll(async () => {
    await server.close();
  });

  function expectError(response: RawResponse, status: number, error: string, description?: RegExp): void {
    expect(response.status).toBe(status);
    expect(response.json.error).toBe(error);
    expect(typeof response.json.error_description).toBe('string');
    if (description !== undefined) expect(String(response.json.error_description)).toMatch(description);
    expect(response.cacheControl).toBe('no-store');
  }

  const endpoints = ['/oauth2/token', '/oauth2/refresh', '/oauth2/revoke', '/oauth2/introspect'];

  it.each(endpoints)('%s body over limit is 413', async (path) => {
    const response = await send(url(path), `grant_type=client_credentials&x=${long(MAX_BODY_BYTES)}`, auth());

    expectError(response, 413, 'invalid_request', /exceeds 16384 bytes/);
  });

  it.each(endpoints)('%s long parameter is 400', async (path) => {
    const response = await send(url(path), new URLSearchParams({ grant_type: 'client_credentials', state: long(MAX_PARAMETER_LENGTH + 1) }).toString(), auth());

    expectError(response, 400, 'invalid_request', /parameter "state" exceeds 1024 characters/);
  });

  it.each(['/oauth2/revoke', '/oauth2/introspect'])('%s long token is 400', async (path) => {
    const response = await send(url(path), new URLSearchParams({ token: long(MAX_TOKEN_LENGTH + 1) }).toString(), auth());

    expectError(response, 400, 'invalid_request', /parameter "token" exceeds 8192 characters/);
  });

  it('token at limit is accepted', async () => {
    const response = await fetch(url('/oauth2/revoke'), { method: 'POST', headers: auth(), body: new URLSearchParams({ token: long(MAX_TOKEN_LENGTH) }).toString() });

    expect(response.status).toBe(200);
  });

  it('long refresh token is 400', async () => {
    const response = await send(url('/oauth2/refresh'), new URLSearchParams({ refresh_token: long(MAX_TOKEN_LENGTH + 1) }).toString(), auth());

    expectError(response, 400, 'invalid_request', /parameter "refresh_token" exceeds/);
  });

  it('too many scope values is 400', async () => {
    const scope = Array.from({ length: MAX_SCOPE_VALUES + 1 }, (_, index) => `s${index}`).join(' ');

    const response = await send(url('/oauth2/token'), new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(), auth());

    expectError(response, 400, 'invalid_scope', /more than 50 values/);
  });

  it('too many parameters is 400', async () => {
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    for (let index = 0; index < MAX_PARAMETERS; index += 1) params.set(`p${index}`, 'x');

    const response = await send(url('/oauth2/token'), params.toString(), auth());

    expectError(response, 400, 'invalid_request', /more than 32 parameters/);
  });

  it('long parameter name is 400', async () => {
    const response = await send(url('/oauth2/token'), `grant_type=client_credentials&${long(65)}=x`, auth());

    expectError(response, 400, 'invalid_request', /parameter name exceeds 64/);
  });

  it('long username is 400, nothing stored', async () => {
    const before = await snapshotTable(server.deps.db, server.config.tableName);

    const response = await send(url('/oauth2/token'), new URLSearchParams({ grant_type: 'password', username: '\u{1F600}'.repeat(MAX_IDENTIFIER_LENGTH), password: 'x' }).toString(), auth());

    expectError(response, 400, 'invalid_request', /parameter "username" exceeds 256 characters/);
    expect(await snapshotTable(server.deps.db, server.config.tableName)).toEqual(before);
  });

  it('long client_id is 400', async () => {
    const response = await send(url('/oauth2/token'), new URLSearchParams({ grant_type: 'client_credentials', client_id: long(MAX_IDENTIFIER_LENGTH + 1) }).toString(), form);

    expectError(response, 400, 'invalid_request', /parameter "client_id" exceeds/);
  });

  it('long Basic client id is 400', async () => {
    const response = await send(url('/oauth2/token'), 'grant_type=client_credentials', { ...form, authorization: basicAuth(long(MAX_IDENTIFIER_LENGTH + 1), 'secret') });

    expectError(response, 400, 'invalid_request', /client id exceeds 256 characters/);
  });

  it('long Authorization header is 400', async () => {
    const response = await send(url('/oauth2/token'), 'grant_type=client_credentials', { ...form, authorization: `Basic ${long(MAX_AUTHORIZATION_LENGTH)}` });

    expectError(response, 400, 'invalid_request', /"Authorization" header exceeds 4096/);
  });

  it.each(endpoints)('%s non-UTF-8 body is 400', async (path) => {
    const body = new Uint8Array([...Buffer.from('grant_type=client_credentials&scope='), 0xc3, 0x28, 0xff]);

    const response = await send(url(path), body, auth());

    expectError(response, 400, 'invalid_request', /not valid UTF-8/);
  });

  it.each(endpoints)('%s binary body is 400', async (path) => {
    const body = new Uint8Array(Array.from({ length: 512 }, (_, index) => (index * 7919) % 256));

    const response = await send(url(path), body, auth());

    expectError(response, 400, 'invalid_request');
  });

  it('NUL bytes in a value are rejected', async () => {
    const response = await send(url('/oauth2/token'), 'grant_type=client_credentials&scope=read%00write', auth());

    expectError(response, 400, 'invalid_scope');
  });

  it('malformed percent-encoding is 400', async () => {
    const response = await send(url('/oauth2/token'), 'grant_type=client_credentials&scope=%E0%A4%A', auth());

    expectError(response, 400, 'invalid_request', /malformed percent-encoding/);
  });

  it('wrong charset is 400', async () => {
    const response = await send(url('/oauth2/token'), 'grant_type=client_credentials', { ...auth(), 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' });

    expectError(response, 400, 'invalid_request', /charset/);
  });
});
