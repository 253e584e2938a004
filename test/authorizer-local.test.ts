import type { LocalServer } from '../local/app.js';
import { StoreKeyProvider } from '../src/keys/store-key-provider.js';
import { basicAuth, postForm, startTestServer } from './support/local-server.js';

describe('local demo routes', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const clientToken = async (scope?: string): Promise<string> => {
    const demo = server.demo!;
    const response = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) },
      { authorization: basicAuth(demo.clientId, demo.clientSecret) },
    );
    expect(response.status).toBe(200);
    return String(response.json.access_token);
  };
  const get = async (path: string, authorization?: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${server.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });
    return { status: response.status, body: await response.json() };
  };

  it('me returns the caller', async () => {
    const { status, body } = await get('/demo/me', `Bearer ${await clientToken('read')}`);
    expect(status).toBe(200);
    expect(body).toEqual({ sub: server.demo!.clientId, client_id: server.demo!.clientId, scope: 'read' });
  });

  it('me without a token is 401', async () => {
    const { status, body } = await get('/demo/me');
    expect(status).toBe(401);
    expect(body).toEqual({ message: 'Unauthorized' });
  });

  it('me with a bad token is 401', async () => {
    expect((await get('/demo/me', 'Bearer e30.e30.e30')).status).toBe(401);
  });

  it('admin without admin scope is 403', async () => {
    const { status, body } = await get('/demo/admin', `Bearer ${await clientToken('read write')}`);
    expect(status).toBe(403);
    expect(body).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' });
  });

  it('admin with admin scope is 200', async () => {
    const { status, body } = await get('/demo/admin', `Bearer ${await clientToken('admin')}`);
    expect(status).toBe(200);
    expect(body).toEqual({ sub: server.demo!.clientId, client_id: server.demo!.clientId, scope: 'admin' });
  });

  it('user token carries its sub', async () => {
    const demo = server.demo!;
    const login = await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'password', username: demo.username, password: demo.password, scope: 'read' },
      { authorization: basicAuth(demo.clientId, demo.clientSecret) },
    );
    const { status, body } = await get('/demo/me', `Bearer ${String(login.json.access_token)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ client_id: demo.clientId, scope: 'read' });
    expect((body as { sub: string }).sub).not.toBe(demo.clientId);
  });

  it('accepts tokens after key rotation', async () => {
    const before = await clientToken('read');
    const keys = server.deps.keys;
    if (!(keys instanceof StoreKeyProvider)) throw new Error('the local server should keep its keys in the table');
    await keys.rotate();
    const after = await clientToken('read');
    expect(after.split('.')[0]).not.toBe(before.split('.')[0]);
    expect((await get('/demo/me', `Bearer ${after}`)).status).toBe(200);
    expect((await get('/demo/me', `Bearer ${before}`)).status).toBe(200);
  });
});
