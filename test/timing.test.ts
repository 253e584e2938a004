import { performance } from 'node:perf_hooks';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalServer } from '../local/app.js';
import { userKey } from '../src/store/table.js';
import { basicAuth, createTestClient, startTestServer, type TestClient } from './support/local-server.js';
import { createTestUser, nowSeconds, TEST_PASSWORD } from './support/refresh-fixtures.js';

/** Attempts per case; the three cases are interleaved so drift in machine load hits each alike. */
const ATTEMPTS = 200;
const WARM_UP_ROUNDS = 10;
/** Largest accepted ratio between the slowest and the fastest median. */
const MAX_MEDIAN_RATIO = 1.1;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Password grant timing over real HTTP, at the test suite's scrypt cost (SCRYPT_N=16384).
 * Unknown user, wrong password and locked user must each wait for one store round trip
 * before one scrypt hash, so their medians stay within 10 % of each other. An unknown
 * user's lock item is written while its dummy hash runs.
 */
describe('password grant timing', () => {
  let server: LocalServer;
  let app: TestClient;

  beforeAll(async () => {
    // A high threshold keeps the wrong-password user unlocked for the whole run.
    server = await startTestServer({ LOCKOUT_MAX_FAILURES: '1000' });
    app = await createTestClient(server, { clientId: 'timing-app', grantTypes: ['password'] });
    await createTestUser(server, 'timing-known');
    await createTestUser(server, 'timing-locked');
    const now = nowSeconds();
    await server.deps.db.send(
      new UpdateCommand({
        TableName: server.config.tableName,
        Key: userKey('timing-locked'),
        UpdateExpression: 'SET failures = :zero, windowEndsAt = :now, lockedUntil = :until, lockouts = :one',
        ExpressionAttributeValues: { ':zero': 0, ':now': now, ':until': now + 3600, ':one': 1 },
      }),
    );
  });

  afterAll(async () => {
    await server.close();
  });

  it('medians within 10 percent', async () => {
    const cases = {
      unknownUser: { username: 'timing-unknown', password: 'wrong password' },
      wrongPassword: { username: 'timing-known', password: 'wrong password' },
      lockedUser: { username: 'timing-locked', password: TEST_PASSWORD },
    };
    const durations: Record<keyof typeof cases, number[]> = { unknownUser: [], wrongPassword: [], lockedUser: [] };
    const statuses = new Set<number>();
    const bodies = new Set<string>();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(app.clientId, app.clientSecret!) };

    for (let round = 0; round < WARM_UP_ROUNDS + ATTEMPTS; round += 1) {
      for (const [name, credentials] of Object.entries(cases) as [keyof typeof cases, { username: string; password: string }][]) {
        const body = new URLSearchParams({ grant_type: 'password', ...credentials }).toString();
        const started = performance.now();
        const response = await fetch(`${server.url}/oauth2/token`, { method: 'POST', headers, body });
        const text = await response.text();
        const elapsed = performance.now() - started;
        statuses.add(response.status);
        bodies.add(text);
        if (round >= WARM_UP_ROUNDS) durations[name].push(elapsed);
      }
    }

    const medians = Object.fromEntries(Object.entries(durations).map(([name, values]) => [name, median(values)]));
    const values = Object.values(medians);
    const ratio = Math.max(...values) / Math.min(...values);
    // The medians are printed so a failure, or a run that passes narrowly, can be read from the log.
    process.stdout.write(`password grant medians (ms): ${JSON.stringify(medians)}, ratio ${ratio.toFixed(3)}\n`);

    expect([...statuses]).toEqual([400]);
    expect(bodies.size).toBe(1);
    expect(durations.lockedUser).toHaveLength(ATTEMPTS);
    expect(ratio).toBeLessThanOrEqual(MAX_MEDIAN_RATIO);
  }, 300_000);
});
