import type { LocalServer } from '../local/app.js';
import type { AuthorizerHandler } from '../src/authorizer/handler.js';
import { createTestAuthorizer, invoke, restTokenEvent, signAccessToken } from './support/authorizer-fixtures.js';
import { basicAuth, postForm, startTestServer } from './support/local-server.js';

const CACHE_SECONDS = 5;

describe('authorizer revocation', () => {
  let server: LocalServer;
  let clock: number;
  let handler: AuthorizerHandler;

  beforeAll(async () => {
    server = await startTestServer({ DENY_LIST_CACHE_SECONDS: '1' });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    clock = Date.now();
    handler = createTestAuthorizer(server, { now: () => clock, env: { DENY_LIST_CACHE_SECONDS: String(CACHE_SECONDS) } });
  });

  const nowSeconds = (): number => Math.floor(clock / 1000);
  const authorize = async (token: string): Promise<string | undefined> => (await invoke(handler, restTokenEvent(`Bearer ${token}`))).error;

  it('rejects a denied jti after the cache time', async () => {
    const token = await signAccessToken(server, {}, nowSeconds());
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    expect(await authorize(token)).toBeUndefined();

    await server.deps.denyList.add({ kind: 'jti', id: jti }, nowSeconds() + 900, 'test', nowSeconds());
    // Within the cache time the earlier result may still be used, but never after it.
    clock += CACHE_SECONDS * 1000;
    expect(await authorize(token)).toBe('Error: Unauthorized');
  });

  it('rejects a denied family after the cache time', async () => {
    const token = await signAccessToken(server, { sid: 'family-42' }, nowSeconds());
    const sibling = await signAccessToken(server, { sid: 'family-42' }, nowSeconds());
    expect(await authorize(token)).toBeUndefined();

    await server.deps.denyList.add({ kind: 'sid', id: 'family-42' }, nowSeconds() + 900, 'test', nowSeconds());
    clock += CACHE_SECONDS * 1000;
    expect(await authorize(token)).toBe('Error: Unauthorized');
    expect(await authorize(sibling)).toBe('Error: Unauthorized');
  });

  it('rejects a first-seen denied token at once', async () => {
    const token = await signAccessToken(server, { jti: 'denied-before-use' }, nowSeconds());
    await server.deps.denyList.add({ kind: 'jti', id: 'denied-before-use' }, nowSeconds() + 900, 'test', nowSeconds());
    expect(await authorize(token)).toBe('Error: Unauthorized');
  });

  it('keeps other tokens valid', async () => {
    await server.deps.denyList.add({ kind: 'sid', id: 'family-x' }, nowSeconds() + 900, 'test', nowSeconds());
    const token = await signAccessToken(server, { sid: 'family-y' }, nowSeconds());
    expect(await authorize(token)).toBeUndefined();
  });

  it('expires cached tokens on time', async () => {
    const token = await signAccessToken(server, { exp: nowSeconds() + 60 }, nowSeconds());
    expect(await authorize(token)).toBeUndefined();
    // The second call is served from the verified-token cache; the time checks still run.
    clock += 60_000 + 31_000;
    expect(await authorize(token)).toBe('Error: Unauthorized');
  });

  describe('through /oauth2/revoke', () => {
    const passwordLogin = async (): Promise<{ accessToken: string; refreshToken: string }> => {
      const demo = server.demo!;
      const response = await postForm(
        `${server.url}/oauth2/token`,
        { grant_type: 'password', username: demo.username, password: demo.password },
        { authorization: basicAuth(demo.clientId, demo.clientSecret) },
      );
      expect(response.status).toBe(200);
      return { accessToken: String(response.json.access_token), refreshToken: String(response.json.refresh_token) };
    };
    const revoke = async (token: string): Promise<number> => {
      const demo = server.demo!;
      const response = await postForm(`${server.url}/oauth2/revoke`, { token }, { authorization: basicAuth(demo.clientId, demo.clientSecret) });
      return response.status;
    };
    /** Polls `GET /demo/me` until it returns 401, for at most the server's cache time plus a margin. */
    const statusAfterRevocation = async (token: string): Promise<number> => {
      const deadline = Date.now() + 1000 + 1500;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await fetch(`${server.url}/demo/me`, { headers: { authorization: `Bearer ${token}` } })).status;
        if (status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return status;
    };

    it('rejects a revoked access token', async () => {
      const { accessToken } = await passwordLogin();
      expect((await fetch(`${server.url}/demo/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
      expect(await revoke(accessToken)).toBe(200);
      expect(await statusAfterRevocation(accessToken)).toBe(401);
    });

    it('keeps a revoked token rejected within the clock tolerance', async () => {
      const { accessToken } = await passwordLogin();
      const exp = Number(JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).exp);
      expect(await revoke(accessToken)).toBe(200);

      // The default 30 s tolerance still accepts the token's times one second after exp.
      clock = (exp + 1) * 1000;

      expect(await authorize(accessToken)).toBe('Error: Unauthorized');
    });

    it('keeps a cached revocation past exp', async () => {
      const { accessToken } = await passwordLogin();
      const exp = Number(JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).exp);
      expect(await revoke(accessToken)).toBe(200);
      expect(await authorize(accessToken)).toBe('Error: Unauthorized');

      clock = (exp + 1) * 1000;

      expect(await authorize(accessToken)).toBe('Error: Unauthorized');
    });

    it('rejects tokens of a revoked family', async () => {
      const { accessToken, refreshToken } = await passwordLogin();
      expect((await fetch(`${server.url}/demo/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
      expect(await revoke(refreshToken)).toBe(200);
      expect(await statusAfterRevocation(accessToken)).toBe(401);
    });
  });
});
