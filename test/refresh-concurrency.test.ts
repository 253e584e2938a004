import type { LocalServer } from '../local/app.js';
import { createTestClient, startTestServer, type TestClient } from './support/local-server.js';
import { createTestUser, familyIdOf, login, refresh, type FormResponse } from './support/refresh-fixtures.js';

const PARALLEL = 50;

/** Starts a server with the given grace window, logs a user in, and fires PARALLEL refreshes of the first token at once. */
async function raceRefreshes(graceSeconds: number): Promise<{ server: LocalServer; app: TestClient; familyId: string; responses: FormResponse[] }> {
  const server = await startTestServer({ REFRESH_REUSE_GRACE_SECONDS: String(graceSeconds) });
  const app = await createTestClient(server, { clientId: 'app', grantTypes: ['password', 'refresh_token'] });
  const user = await createTestUser(server, 'racer');
  const token = String((await login(server, app, user.username)).json.refresh_token);

  const responses = await Promise.all(Array.from({ length: PARALLEL }, () => refresh(server, app, token)));
  return { server, app, familyId: familyIdOf(token), responses };
}

describe('refresh concurrency', () => {
  const servers: LocalServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it('has one winner with grace 0', async () => {
    const { server, app, familyId, responses } = await raceRefreshes(0);
    servers.push(server);

    const successes = responses.filter((response) => response.status === 200);
    const failures = responses.filter((response) => response.status !== 200);
    expect(successes).toHaveLength(1);
    expect(failures).toHaveLength(PARALLEL - 1);
    for (const failure of failures) expect(failure.json.error).toBe('invalid_grant');

    // Losers presented a token that was already rotated, which is reuse with grace 0, so the
    // family ends revoked at the one generation the winner created.
    const family = await server.deps.families.find(familyId);
    expect(family?.generation).toBe(2);
    expect(family?.revokedReason).toBe('refresh_token_reuse');
    const winnerToken = String(successes[0]!.json.refresh_token);
    expect((await refresh(server, app, winnerToken)).json.error).toBe('invalid_grant');
  });

  it('repeats one successor with grace 10', async () => {
    const { server, app, familyId, responses } = await raceRefreshes(10);
    servers.push(server);

    const statuses = responses.map((response) => response.status);
    expect(statuses).toEqual(Array.from({ length: PARALLEL }, () => 200));
    const successors = new Set(responses.map((response) => response.json.refresh_token));
    expect(successors.size).toBe(1);

    const family = await server.deps.families.find(familyId);
    expect(family?.generation).toBe(2);
    expect(family?.revokedAt).toBeUndefined();
    const next = await refresh(server, app, String([...successors][0]));
    expect(next.status).toBe(200);
    expect((await server.deps.families.find(familyId))?.generation).toBe(3);
  });
});
