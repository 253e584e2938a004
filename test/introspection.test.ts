import type { LocalServer } from '../local/app.js';
import { issueAccessToken } from '../src/oauth/access-token.js';
import { basicAuth, createTestClient, postForm, startTestServer, type TestClient } from './support/local-server.js';
import {
  claimsOf,
  createTestUser,
  familyIdOf,
  login,
  nowSeconds,
  postToken,
  refresh,
  setFamilyTimes,
} from './support/refresh-fixtures.js';

describe('introspection endpoint', () => {
  let server: LocalServer;
  let app: TestClient;
  let resourceServer: TestClient;
  let spa: TestClient;
  let userCount = 0;

  beforeAll(async () => {
    server = await startTestServer();
    app = await createTestClient(server, { clientId: 'app', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example' });
    resourceServer = await createTestClient(server, { clientId: 'resource-server', grantTypes: ['client_credentials'] });
    spa = await createTestClient(server, { clientId: 'spa', secret: null, grantTypes: ['password', 'refresh_token'] });
  });

  afterAll(async () => {
    await server.close();
  });

  async function startFamily(client: TestClient = app): Promise<{ refreshToken: string; accessToken: string; username: string }> {
    userCount += 1;
    const user = await createTestUser(server, `user-${userCount}`);
    const response = await login(server, client, user.username);
    expect(response.status).toBe(200);
    return { refreshToken: String(response.json.refresh_token), accessToken: String(response.json.access_token), username: user.username };
  }

  const introspect = (client: TestClient, token: string, extra: Record<string, string> = {}) =>
    postToken(server, '/oauth2/introspect', client, token, extra);

  it('describes an access token', async () => {
    const { accessToken, refreshToken } = await startFamily();
    const claims = claimsOf(accessToken);

    const response = await introspect(app, accessToken);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      active: true,
      scope: 'read write',
      client_id: 'app',
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: claims.sub,
      aud: 'https://api.example',
      iss: server.config.issuer,
      jti: claims.jti,
      sid: familyIdOf(refreshToken),
    });
  });

  it('sends no-store headers', async () => {
    const { accessToken } = await startFamily();

    const active = await introspect(app, accessToken);
    const inactive = await introspect(app, 'unknown');

    for (const response of [active, inactive]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('describes a refresh token', async () => {
    const { refreshToken, accessToken, username } = await startFamily();
    const family = await server.deps.families.find(familyIdOf(refreshToken));

    const response = await introspect(app, refreshToken, { token_type_hint: 'refresh_token' });

    expect(response.json).toEqual({
      active: true,
      scope: 'read write',
      client_id: 'app',
      username,
      exp: family!.expiresAt,
      iat: family!.createdAt,
      sub: claimsOf(accessToken).sub,
      aud: 'https://api.example',
      iss: server.config.issuer,
      sid: family!.familyId,
    });
  });

  it('reports the rotation time as iat', async () => {
    const { refreshToken } = await startFamily();
    const rotated = await refresh(server, app, refreshToken);
    const family = await server.deps.families.find(familyIdOf(refreshToken));

    const response = await introspect(app, String(rotated.json.refresh_token));

    expect(response.json.active).toBe(true);
    expect(response.json.iat).toBe(family!.rotatedAt);
  });

  it('lets another confidential client introspect access tokens', async () => {
    const { accessToken } = await startFamily();

    const response = await introspect(resourceServer, accessToken);

    expect(response.json.active).toBe(true);
    expect(response.json.client_id).toBe('app');
  });

  it('hides refresh tokens from other clients', async () => {
    const { refreshToken } = await startFamily();

    const response = await introspect(resourceServer, refreshToken);

    expect(response.json).toEqual({ active: false });
  });

  it('reports a rotated token inactive without revoking', async () => {
    const { refreshToken } = await startFamily();
    const rotated = await refresh(server, app, refreshToken);

    const response = await introspect(app, refreshToken);

    expect(response.json).toEqual({ active: false });
    expect((await refresh(server, app, String(rotated.json.refresh_token))).status).toBe(200);
  });

  it('reports a revoked family inactive', async () => {
    const { refreshToken, accessToken } = await startFamily();
    await postToken(server, '/oauth2/revoke', app, refreshToken);

    expect((await introspect(app, refreshToken)).json).toEqual({ active: false });
    expect((await introspect(app, accessToken)).json).toEqual({ active: false });
  });

  it('reports an expired family inactive', async () => {
    const { refreshToken } = await startFamily();
    await setFamilyTimes(server, familyIdOf(refreshToken), { expiresAt: nowSeconds() - 1 });

    expect((await introspect(app, refreshToken)).json).toEqual({ active: false });
  });

  it('reports a disabled user\'s refresh token inactive', async () => {
    const { refreshToken, username } = await startFamily();
    await server.deps.users.disable(username);

    expect((await introspect(app, refreshToken)).json).toEqual({ active: false });
  });

  it('reports an expired access token inactive', async () => {
    const expired = await issueAccessToken(server.deps.keys, {
      issuer: server.config.issuer,
      subject: 'someone',
      audience: server.config.defaultAudience,
      clientId: app.clientId,
      scope: 'read',
      lifetimeSeconds: 60,
      nowSeconds: nowSeconds() - 120,
    });

    expect((await introspect(app, expired.token)).json).toEqual({ active: false });
  });

  it('reports a foreign issuer inactive', async () => {
    const foreign = await issueAccessToken(server.deps.keys, {
      issuer: 'https://elsewhere.example',
      subject: 'someone',
      audience: server.config.defaultAudience,
      clientId: app.clientId,
      scope: 'read',
      lifetimeSeconds: 60,
      nowSeconds: nowSeconds(),
    });

    expect((await introspect(app, foreign.token)).json).toEqual({ active: false });
  });

  it('reports a deleted client\'s access token inactive', async () => {
    const doomed = await createTestClient(server, { clientId: 'doomed', grantTypes: ['password', 'refresh_token'] });
    const { accessToken } = await startFamily(doomed);
    expect((await introspect(app, accessToken)).json.active).toBe(true);

    await server.deps.clients.delete(doomed.clientId);

    expect((await introspect(app, accessToken)).json).toEqual({ active: false });
  });

  it.each([
    ['unknown opaque value', 'no-such-token'],
    ['unknown refresh token', `rt1.${'A'.repeat(22)}.1.${'B'.repeat(43)}`],
    ['malformed JWT', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
  ])('reports inactive for token: %s', async (_case, token) => {
    const response = await introspect(app, token);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ active: false });
  });

  it.each([
    ['wrong', 'refresh_token'],
    ['unknown', 'id_token'],
  ])('finds an access token with a %s hint', async (_case, hint) => {
    const { accessToken } = await startFamily();

    const response = await introspect(app, accessToken, { token_type_hint: hint });

    expect(response.json.active).toBe(true);
  });

  it('rejects a public client', async () => {
    const { refreshToken } = await startFamily(spa);

    const response = await introspect(spa, refreshToken);

    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('rejects a missing or wrong secret', async () => {
    const { accessToken } = await startFamily();

    const anonymous = await postForm(`${server.url}/oauth2/introspect`, { token: accessToken });
    const wrongSecret = await postForm(`${server.url}/oauth2/introspect`, { token: accessToken }, {
      authorization: basicAuth(app.clientId, 'wrong-secret'),
    });

    for (const response of [anonymous, wrongSecret]) {
      expect(response.status).toBe(401);
      expect(response.json.error).toBe('invalid_client');
    }
  });

  it('requires the token parameter', async () => {
    const response = await introspect(app, '');

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_request');
  });
});
