import { MAX_CLOCK_TOLERANCE_SECONDS } from '../src/oauth/clock-tolerance.js';
import { generateKeyPair, SignJWT } from 'jose';
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

describe('revocation endpoint', () => {
  let server: LocalServer;
  let app: TestClient;
  let other: TestClient;
  let spa: TestClient;
  let service: TestClient;
  let userCount = 0;

  beforeAll(async () => {
    server = await startTestServer();
    app = await createTestClient(server, { clientId: 'app', grantTypes: ['password', 'refresh_token'] });
    other = await createTestClient(server, { clientId: 'other', grantTypes: ['password', 'refresh_token', 'client_credentials'] });
    spa = await createTestClient(server, { clientId: 'spa', secret: null, grantTypes: ['password', 'refresh_token'] });
    service = await createTestClient(server, { clientId: 'service', grantTypes: ['client_credentials'] });
  });

  afterAll(async () => {
    await server.close();
  });

  async function startFamily(client: TestClient = app): Promise<{ refreshToken: string; accessToken: string }> {
    userCount += 1;
    const user = await createTestUser(server, `user-${userCount}`);
    const response = await login(server, client, user.username);
    expect(response.status).toBe(200);
    return { refreshToken: String(response.json.refresh_token), accessToken: String(response.json.access_token) };
  }

  const revoke = (client: TestClient, token: string, extra: Record<string, string> = {}) =>
    postToken(server, '/oauth2/revoke', client, token, extra);
  const isActive = async (token: string): Promise<unknown> => (await postToken(server, '/oauth2/introspect', app, token)).json.active;

  it('revokes a refresh token family', async () => {
    const { refreshToken, accessToken } = await startFamily();
    const familyId = familyIdOf(refreshToken);

    const response = await revoke(app, refreshToken);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({});
    expect((await refresh(server, app, refreshToken)).json.error).toBe('invalid_grant');
    expect(await isActive(accessToken)).toBe(false);
    expect((await server.deps.families.find(familyId))?.revokedReason).toBe('revoked_by_client');
    expect(await server.deps.denyList.findDenied([{ kind: 'sid', id: familyId }], nowSeconds())).toHaveLength(1);
  });

  it('sends no-store headers', async () => {
    const response = await revoke(app, 'unknown-token');

    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
  });

  it('revokes a rotated token of the family', async () => {
    const { refreshToken } = await startFamily();
    const rotated = await refresh(server, app, refreshToken);

    // Reuse detection and revocation end the same way; revocation just records another reason.
    const response = await revoke(app, refreshToken);

    expect(response.status).toBe(200);
    expect((await refresh(server, app, String(rotated.json.refresh_token))).json.error).toBe('invalid_grant');
  });

  it('revokes an access token by jti', async () => {
    const { refreshToken, accessToken } = await startFamily();
    const { jti, exp } = claimsOf(accessToken);

    const response = await revoke(app, accessToken, { token_type_hint: 'access_token' });

    expect(response.status).toBe(200);
    expect(await isActive(accessToken)).toBe(false);
    // The entry outlives exp by the largest clock tolerance a verifier may allow.
    const until = Number(exp) + MAX_CLOCK_TOLERANCE_SECONDS;
    expect(await server.deps.denyList.findDenied([{ kind: 'jti', id: String(jti) }], until - 1)).toHaveLength(1);
    expect(await server.deps.denyList.findDenied([{ kind: 'jti', id: String(jti) }], until)).toHaveLength(0);
    // Only that access token ends: the family still refreshes.
    expect((await refresh(server, app, refreshToken)).status).toBe(200);
  });

  it('revokes a client_credentials token', async () => {
    const issued = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, {
      authorization: basicAuth(service.clientId, service.clientSecret!),
    });
    const accessToken = String(issued.json.access_token);
    expect(await isActive(accessToken)).toBe(true);

    const response = await revoke(service, accessToken);

    expect(response.status).toBe(200);
    expect(await isActive(accessToken)).toBe(false);
  });

  it.each([
    ['access_token hint on a refresh token', 'refresh', 'access_token'],
    ['refresh_token hint on an access token', 'access', 'refresh_token'],
    ['URN hint', 'refresh', 'urn:ietf:params:oauth:token-type:access_token'],
  ])('ignores a wrong hint: %s', async (_case, kind, hint) => {
    const { refreshToken, accessToken } = await startFamily();
    const token = kind === 'refresh' ? refreshToken : accessToken;

    const response = await revoke(app, token, { token_type_hint: hint });

    expect(response.status).toBe(200);
    expect(await isActive(token)).toBe(false);
  });

  it.each(['id_token', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])('rejects the unsupported hint %s', async (hint) => {
    const { refreshToken } = await startFamily();

    const response = await revoke(app, refreshToken, { token_type_hint: hint });

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('unsupported_token_type');
    expect((await refresh(server, app, refreshToken)).status).toBe(200);
  });

  it.each([
    ['unknown opaque value', () => 'no-such-token'],
    ['unknown refresh token', () => `rt1.${'A'.repeat(22)}.1.${'B'.repeat(43)}`],
    ['malformed JWT', () => 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
  ])('returns 200 for token: %s', async (_case, makeToken) => {
    const response = await revoke(app, makeToken());

    expect(response.status).toBe(200);
    expect(response.json).toEqual({});
  });

  it('returns 200 for an expired access token', async () => {
    const expired = await issueAccessToken(server.deps.keys, {
      issuer: server.config.issuer,
      subject: 'someone',
      audience: server.config.defaultAudience,
      clientId: app.clientId,
      scope: 'read',
      lifetimeSeconds: 60,
      nowSeconds: nowSeconds() - 120,
    });

    const response = await revoke(app, expired.token);

    expect(response.status).toBe(200);
    expect(await server.deps.denyList.findDenied([{ kind: 'jti', id: expired.jti }], nowSeconds() - 100)).toHaveLength(0);
  });

  it('returns 200 for a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const kid = (await server.deps.keys.getSigningKey()).kid;
    const forged = await new SignJWT({ client_id: app.clientId, scope: 'read' })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
      .setIssuer(server.config.issuer)
      .setSubject('someone')
      .setAudience(server.config.defaultAudience)
      .setJti('forged-jti')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

    const response = await revoke(app, forged);

    expect(response.status).toBe(200);
    expect(await server.deps.denyList.findDenied([{ kind: 'jti', id: 'forged-jti' }], nowSeconds())).toHaveLength(0);
  });

  it('returns 200 for an expired family', async () => {
    const { refreshToken } = await startFamily();
    const familyId = familyIdOf(refreshToken);
    await setFamilyTimes(server, familyId, { expiresAt: nowSeconds() - 1 });

    const response = await revoke(app, refreshToken);

    expect(response.status).toBe(200);
    expect((await server.deps.families.find(familyId))?.revokedAt).toBeUndefined();
  });

  it('returns 200 when revoked twice', async () => {
    const { refreshToken } = await startFamily();

    expect((await revoke(app, refreshToken)).status).toBe(200);
    expect((await revoke(app, refreshToken)).status).toBe(200);
  });

  it.each(['refresh', 'access'])('refuses another client\'s %s token', async (kind) => {
    const { refreshToken, accessToken } = await startFamily();
    const token = kind === 'refresh' ? refreshToken : accessToken;

    const response = await revoke(other, token);

    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'invalid_request', error_description: 'the client is not authorized to revoke this token' });
    expect(await isActive(token)).toBe(true);
  });

  it('ignores a public client revoking another client\'s token', async () => {
    const { refreshToken, accessToken } = await startFamily();

    const refreshResponse = await revoke(spa, refreshToken);
    const accessResponse = await revoke(spa, accessToken);

    expect(refreshResponse.status).toBe(200);
    expect(accessResponse.status).toBe(200);
    expect(await isActive(refreshToken)).toBe(true);
    expect(await isActive(accessToken)).toBe(true);
  });

  it('lets a public client revoke its own token', async () => {
    const { refreshToken } = await startFamily(spa);

    const response = await revoke(spa, refreshToken);

    expect(response.status).toBe(200);
    expect((await refresh(server, spa, refreshToken)).json.error).toBe('invalid_grant');
  });

  it('requires client authentication', async () => {
    const { refreshToken } = await startFamily();

    const anonymous = await postForm(`${server.url}/oauth2/revoke`, { token: refreshToken });
    const wrongSecret = await postForm(`${server.url}/oauth2/revoke`, { token: refreshToken }, {
      authorization: basicAuth(app.clientId, 'wrong-secret'),
    });

    for (const response of [anonymous, wrongSecret]) {
      expect(response.status).toBe(401);
      expect(response.json.error).toBe('invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect((await refresh(server, app, refreshToken)).status).toBe(200);
  });

  it('requires the token parameter', async () => {
    const response = await revoke(app, '');

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_request');
  });
});
