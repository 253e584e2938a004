import { disableUser } from '../cli/commands.js';
import type { LocalServer } from '../local/app.js';
import { createTestClient, startTestServer, type TestClient } from './support/local-server.js';
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

const IDLE_SECONDS = 3600;

describe('refresh grant', () => {
  let server: LocalServer;
  let app: TestClient;
  let other: TestClient;
  let spa: TestClient;
  let userCount = 0;

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_REUSE_GRACE_SECONDS: '0', REFRESH_TOKEN_IDLE_SECONDS: String(IDLE_SECONDS) });
    app = await createTestClient(server, { clientId: 'app', grantTypes: ['password', 'refresh_token'], scopes: ['read', 'write'] });
    other = await createTestClient(server, { clientId: 'other', grantTypes: ['password', 'refresh_token'], scopes: ['read', 'write'] });
    spa = await createTestClient(server, { clientId: 'spa', secret: null, grantTypes: ['password', 'refresh_token'], scopes: ['read'] });
  });

  afterAll(async () => {
    await server.close();
  });

  /** Logs a fresh user in and returns the first token response. */
  async function startFamily(client: TestClient = app, scope?: string): Promise<Record<string, unknown>> {
    userCount += 1;
    const user = await createTestUser(server, `user-${userCount}`);
    const response = await login(server, client, user.username, scope);
    expect(response.status).toBe(200);
    return response.json;
  }

  it('rotates on every refresh', async () => {
    const first = await startFamily();
    const firstToken = String(first.refresh_token);
    const familyId = familyIdOf(firstToken);

    const second = await refresh(server, app, firstToken);
    expect(second.status).toBe(200);
    const secondToken = String(second.json.refresh_token);
    expect(secondToken).not.toBe(firstToken);
    expect(familyIdOf(secondToken)).toBe(familyId);
    expect(claimsOf(String(second.json.access_token)).sid).toBe(familyId);

    const third = await refresh(server, app, secondToken);
    expect(third.status).toBe(200);
    const thirdToken = String(third.json.refresh_token);
    expect(new Set([firstToken, secondToken, thirdToken]).size).toBe(3);

    // Introspection has no side effects, so it shows which generations are still accepted.
    for (const [token, active] of [[firstToken, false], [secondToken, false], [thirdToken, true]] as const) {
      const described = await postToken(server, '/oauth2/introspect', app, token);
      expect(described.json.active).toBe(active);
    }
    expect((await server.deps.families.find(familyId))?.generation).toBe(3);
  });

  it('returns the token response shape', async () => {
    const first = await startFamily();

    const response = await refresh(server, app, String(first.refresh_token));

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(response.json).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(response.json.token_type).toBe('Bearer');
    expect(response.json.expires_in).toBe(server.config.accessTokenTtlSeconds);
    expect(response.json.scope).toBe('read write');
  });

  it('revokes the family on replay', async () => {
    const first = await startFamily();
    const firstToken = String(first.refresh_token);
    const familyId = familyIdOf(firstToken);
    const second = await refresh(server, app, firstToken);
    const third = await refresh(server, app, String(second.json.refresh_token));
    const latestToken = String(third.json.refresh_token);
    const latestAccessToken = String(third.json.access_token);
    expect((await postToken(server, '/oauth2/introspect', app, latestAccessToken)).json.active).toBe(true);

    const replay = await refresh(server, app, firstToken);

    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    const latest = await refresh(server, app, latestToken);
    expect(latest.status).toBe(400);
    expect(latest.json.error).toBe('invalid_grant');
    expect((await postToken(server, '/oauth2/introspect', app, latestAccessToken)).json).toEqual({ active: false });
    expect((await postToken(server, '/oauth2/introspect', app, latestToken)).json).toEqual({ active: false });
    const family = await server.deps.families.find(familyId);
    expect(family?.revokedReason).toBe('refresh_token_reuse');
    const denied = await server.deps.denyList.findDenied([{ kind: 'sid', id: familyId }], nowSeconds());
    expect(denied).toEqual([{ kind: 'sid', id: familyId }]);
  });

  it('keeps the deny-list entry alive past the access tokens', async () => {
    const first = await startFamily();
    const familyId = familyIdOf(String(first.refresh_token));
    const second = await refresh(server, app, String(first.refresh_token));
    const accessExp = Number(claimsOf(String(second.json.access_token)).exp);

    await refresh(server, app, String(first.refresh_token));

    const denied = await server.deps.denyList.findDenied([{ kind: 'sid', id: familyId }], accessExp - 1);
    expect(denied).toHaveLength(1);
  });

  it('serves the refresh route', async () => {
    const first = await startFamily();

    const withoutGrantType = await refresh(server, app, String(first.refresh_token), { grant_type: '' }, '/oauth2/refresh');
    expect(withoutGrantType.status).toBe(200);
    expect(withoutGrantType.headers.get('cache-control')).toBe('no-store');
    const withGrantType = await refresh(server, app, String(withoutGrantType.json.refresh_token), {}, '/oauth2/refresh');
    expect(withGrantType.status).toBe(200);
    expect(familyIdOf(String(withGrantType.json.refresh_token))).toBe(familyIdOf(String(first.refresh_token)));
  });

  it.each(['password', 'client_credentials', 'authorization_code'])('rejects grant_type %s on the refresh route', async (grantType) => {
    const first = await startFamily();

    const response = await refresh(server, app, String(first.refresh_token), { grant_type: grantType }, '/oauth2/refresh');

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('unsupported_grant_type');
    expect((await refresh(server, app, String(first.refresh_token))).status).toBe(200);
  });

  it('binds the token to its client', async () => {
    const first = await startFamily();
    const token = String(first.refresh_token);

    const stolen = await refresh(server, other, token);

    expect(stolen.status).toBe(400);
    expect(stolen.json.error).toBe('invalid_grant');
    // Another client's attempt neither rotates nor revokes the family.
    const own = await refresh(server, app, token);
    expect(own.status).toBe(200);
  });

  it('refreshes a public client by client_id', async () => {
    const first = await startFamily(spa);

    const response = await refresh(server, spa, String(first.refresh_token));

    expect(response.status).toBe(200);
    expect(response.json.scope).toBe('read');
  });

  it('narrows the scope without shrinking the grant', async () => {
    const first = await startFamily();

    const narrowed = await refresh(server, app, String(first.refresh_token), { scope: 'read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.json.scope).toBe('read');
    expect(claimsOf(String(narrowed.json.access_token)).scope).toBe('read');

    const full = await refresh(server, app, String(narrowed.json.refresh_token));
    expect(full.status).toBe(200);
    expect(full.json.scope).toBe('read write');
  });

  it('rejects a scope beyond the grant', async () => {
    const first = await startFamily(app, 'read');

    const response = await refresh(server, app, String(first.refresh_token), { scope: 'read write' });

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_scope');
    expect((await refresh(server, app, String(first.refresh_token))).status).toBe(200);
  });

  it('rejects a disabled user', async () => {
    userCount += 1;
    const user = await createTestUser(server, `user-${userCount}`);
    const first = await login(server, app, user.username);
    await server.deps.users.disable(user.username);

    const response = await refresh(server, app, String(first.json.refresh_token));

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_grant');
  });

  it('revokes all families on user disable', async () => {
    userCount += 1;
    const user = await createTestUser(server, `user-${userCount}`);
    const first = await login(server, app, user.username);
    const second = await login(server, other, user.username);
    const familyIds = [familyIdOf(String(first.json.refresh_token)), familyIdOf(String(second.json.refresh_token))];

    const disabled = await disableUser({ config: server.config, db: server.deps.db, now: Date.now }, user.username);

    expect(disabled).toEqual({ sub: user.sub, familiesRevoked: 2 });
    for (const familyId of familyIds) {
      expect((await server.deps.families.find(familyId))?.revokedReason).toBe('user_disabled');
    }
    const denied = await server.deps.denyList.findDenied(familyIds.map((id) => ({ kind: 'sid' as const, id })), nowSeconds());
    expect(denied).toHaveLength(2);
    expect((await postToken(server, '/oauth2/introspect', app, String(first.json.access_token))).json.active).toBe(false);
    expect((await refresh(server, other, String(second.json.refresh_token))).json.error).toBe('invalid_grant');
  });

  it('rejects a deleted client', async () => {
    const doomed = await createTestClient(server, { clientId: 'doomed', grantTypes: ['password', 'refresh_token'] });
    const first = await startFamily(doomed);
    await server.deps.clients.delete(doomed.clientId);

    const response = await refresh(server, doomed, String(first.refresh_token));

    expect(response.status).toBe(401);
    expect(response.json.error).toBe('invalid_client');
  });

  it('rejects a re-registered client id', async () => {
    const original = await createTestClient(server, { clientId: 'reborn', grantTypes: ['password', 'refresh_token'] });
    const first = await startFamily(original);
    await server.deps.clients.delete(original.clientId);
    const successor = await createTestClient(server, { clientId: 'reborn', secret: null, grantTypes: ['password', 'refresh_token'] });

    const response = await refresh(server, successor, String(first.refresh_token));

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_grant');
  });

  it('rejects a client without the grant', async () => {
    const limited = await createTestClient(server, { clientId: 'no-refresh', grantTypes: ['password'] });
    const first = await startFamily(limited);

    const response = await refresh(server, limited, String(first.refresh_token));

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('unauthorized_client');
  });

  it('treats an expired record as absent', async () => {
    const first = await startFamily();
    const familyId = familyIdOf(String(first.refresh_token));
    await setFamilyTimes(server, familyId, { expiresAt: nowSeconds() - 1 });

    const response = await refresh(server, app, String(first.refresh_token));

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_grant');
    // The record is still in the table (no TTL deletion yet), and nothing changed it.
    const family = await server.deps.families.find(familyId);
    expect(family?.generation).toBe(1);
    expect(family?.revokedAt).toBeUndefined();
  });

  it('sets the absolute lifetime at login', async () => {
    const before = nowSeconds();
    const first = await startFamily();
    const familyId = familyIdOf(String(first.refresh_token));
    const created = await server.deps.families.find(familyId);

    await refresh(server, app, String(first.refresh_token));

    const rotated = await server.deps.families.find(familyId);
    expect(created!.expiresAt).toBeGreaterThanOrEqual(before + server.config.refreshTokenTtlSeconds);
    expect(rotated!.expiresAt).toBe(created!.expiresAt);
  });

  it('enforces the idle timeout', async () => {
    const first = await startFamily();
    const familyId = familyIdOf(String(first.refresh_token));
    await setFamilyTimes(server, familyId, { lastUsedAt: nowSeconds() - IDLE_SECONDS + 60 });
    const recent = await refresh(server, app, String(first.refresh_token));
    expect(recent.status).toBe(200);

    await setFamilyTimes(server, familyId, { lastUsedAt: nowSeconds() - IDLE_SECONDS - 1 });
    const idle = await refresh(server, app, String(recent.json.refresh_token));

    expect(idle.status).toBe(400);
    expect(idle.json.error).toBe('invalid_grant');
  });

  it('rejects a forged secret without revoking', async () => {
    const first = await startFamily();
    const token = String(first.refresh_token);
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;

    const response = await refresh(server, app, forged);

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_grant');
    expect((await refresh(server, app, token)).status).toBe(200);
  });

  it('rejects a future generation without revoking', async () => {
    const first = await startFamily();
    const token = String(first.refresh_token);
    const ahead = token.replace(/^rt1\.([^.]+)\.1\./, 'rt1.$1.2.');

    const response = await refresh(server, app, ahead);

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_grant');
    expect((await refresh(server, app, token)).status).toBe(200);
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['unknown family', `rt1.${'A'.repeat(22)}.1.${'B'.repeat(43)}`],
    ['access token', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
  ])('rejects a malformed or unknown token: %s', async (_case, token) => {
    const response = await refresh(server, app, token);

    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'invalid_grant', error_description: 'the refresh token is invalid, expired or revoked' });
  });

  it('requires the refresh_token parameter', async () => {
    const response = await refresh(server, app, '');

    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_request');
  });
});

describe('refresh grace window', () => {
  const GRACE_SECONDS = 10;
  let server: LocalServer;
  let app: TestClient;
  let userCount = 0;

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) });
    app = await createTestClient(server, { clientId: 'app', grantTypes: ['password', 'refresh_token'] });
  });

  afterAll(async () => {
    await server.close();
  });

  async function startFamily(): Promise<string> {
    userCount += 1;
    const user = await createTestUser(server, `grace-${userCount}`);
    const response = await login(server, app, user.username);
    return String(response.json.refresh_token);
  }

  it('repeats the successor for a retry', async () => {
    const first = await startFamily();
    const rotated = await refresh(server, app, first);

    const retry = await refresh(server, app, first);

    expect(retry.status).toBe(200);
    expect(retry.json.refresh_token).toBe(rotated.json.refresh_token);
    expect(retry.json.access_token).not.toBe(rotated.json.access_token);
    const family = await server.deps.families.find(familyIdOf(first));
    expect(family?.generation).toBe(2);
    expect(family?.revokedAt).toBeUndefined();
    expect((await refresh(server, app, String(retry.json.refresh_token))).status).toBe(200);
  });

  it('treats a replay after the window as reuse', async () => {
    const first = await startFamily();
    const familyId = familyIdOf(first);
    const rotated = await refresh(server, app, first);
    await setFamilyTimes(server, familyId, { rotatedAt: nowSeconds() - GRACE_SECONDS });

    const replay = await refresh(server, app, first);

    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    expect((await server.deps.families.find(familyId))?.revokedReason).toBe('refresh_token_reuse');
    expect((await refresh(server, app, String(rotated.json.refresh_token))).status).toBe(400);
  });

  it('treats an older generation as reuse', async () => {
    const first = await startFamily();
    const second = await refresh(server, app, first);
    await refresh(server, app, String(second.json.refresh_token));

    // Generation 1 is two rotations old, so the window that covers generation 2 does not apply.
    const replay = await refresh(server, app, first);

    expect(replay.status).toBe(400);
    expect((await server.deps.families.find(familyIdOf(first)))?.revokedReason).toBe('refresh_token_reuse');
  });
});
