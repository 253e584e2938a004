import * as oauth from 'openid-client';
import type { LocalServer } from '../local/app.js';
import { createTestClient, startTestServer, type TestClient } from './support/local-server.js';
import { createTestUser, TEST_PASSWORD } from './support/refresh-fixtures.js';

describe('openid-client refresh, revocation and introspection', () => {
  let server: LocalServer;
  let app: TestClient;
  let userCount = 0;

  beforeAll(async () => {
    server = await startTestServer();
    app = await createTestClient(server, { clientId: 'oc-app', grantTypes: ['password', 'refresh_token'], scopes: ['read', 'write'] });
  });

  afterAll(async () => {
    await server.close();
  });

  async function discover(auth: oauth.ClientAuth): Promise<oauth.Configuration> {
    return oauth.discovery(new URL(server.config.issuer), app.clientId, undefined, auth, {
      // The local server speaks plain HTTP on loopback.
      execute: [oauth.allowInsecureRequests],
      algorithm: 'oauth2',
    });
  }

  /** Logs a fresh user in with the password grant (openid-client has no helper for it). */
  async function loginWith(config: oauth.Configuration): Promise<oauth.TokenEndpointResponse> {
    userCount += 1;
    const user = await createTestUser(server, `oc-user-${userCount}`);
    return oauth.genericGrantRequest(config, 'password', { username: user.username, password: TEST_PASSWORD });
  }

  it.each([
    ['client_secret_basic', (secret: string) => oauth.ClientSecretBasic(secret)],
    ['client_secret_post', (secret: string) => oauth.ClientSecretPost(secret)],
  ])('refreshes, introspects and revokes with %s', async (_method, auth) => {
    const config = await discover(auth(app.clientSecret!));
    const login = await loginWith(config);

    const refreshed = await oauth.refreshTokenGrant(config, login.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    expect(refreshed.token_type).toBe('bearer');
    expect(refreshed.scope).toBe('read write');

    const narrowed = await oauth.refreshTokenGrant(config, refreshed.refresh_token!, { scope: 'read' });
    expect(narrowed.scope).toBe('read');

    const described = await oauth.tokenIntrospection(config, narrowed.access_token, { token_type_hint: 'access_token' });
    expect(described.active).toBe(true);
    expect(described.client_id).toBe(app.clientId);
    expect(described.scope).toBe('read');
    const describedRefresh = await oauth.tokenIntrospection(config, narrowed.refresh_token!);
    expect(describedRefresh.active).toBe(true);

    await oauth.tokenRevocation(config, narrowed.refresh_token!, { token_type_hint: 'refresh_token' });

    expect((await oauth.tokenIntrospection(config, narrowed.refresh_token!)).active).toBe(false);
    expect((await oauth.tokenIntrospection(config, narrowed.access_token)).active).toBe(false);
    const error = await oauth.refreshTokenGrant(config, narrowed.refresh_token!).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect(error).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('sees invalid_grant on reuse', async () => {
    const config = await discover(oauth.ClientSecretBasic(app.clientSecret!));
    const login = await loginWith(config);
    const refreshed = await oauth.refreshTokenGrant(config, login.refresh_token!);

    const reuse = await oauth.refreshTokenGrant(config, login.refresh_token!).catch((caught: unknown) => caught);

    expect(reuse).toMatchObject({ error: 'invalid_grant' });
    expect((await oauth.tokenIntrospection(config, refreshed.refresh_token!)).active).toBe(false);
  });

  it('revokes an unknown token quietly', async () => {
    const config = await discover(oauth.ClientSecretBasic(app.clientSecret!));

    await expect(oauth.tokenRevocation(config, 'no-such-token')).resolves.toBeUndefined();
  });
});
