/**
 * Lockout under parallel requests: bursts of guesses must not get more password checks
 * than the lockout allows, and a success must not erase a lock that other requests set
 * meanwhile. The handlers run in this process against the test server's store.
 *
 * A password check is counted by wrapping `scrypt` of `node:crypto`: a check against the
 * stored hash runs scrypt with the stored salt, while the hash burnt for a rejected attempt
 * uses a random salt. So the count does not depend on how the server decides.
 */
import { jest } from '@jest/globals';
import { createRequire } from 'node:module';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const require = createRequire(import.meta.url);
/** Salts (base64url) of every scrypt run in this process. */
const scryptSalts: string[] = [];
jest.unstable_mockModule('node:crypto', () => {
  const actual = require('node:crypto') as typeof import('node:crypto');
  const scrypt = (...args: Parameters<typeof actual.scrypt>): void => {
    scryptSalts.push(Buffer.from(args[1] as Uint8Array).toString('base64url'));
    actual.scrypt(...args);
  };
  return { ...actual, default: { ...actual, scrypt }, scrypt };
});

// Everything that imports node:crypto is loaded after the mock above.
const { createDependencies } = await import('../src/runtime/dependencies.js');
const { createTokenHandler } = await import('../src/runtime/handlers.js');
const { postFormTo } = await import('./support/handler-events.js');
const { basicAuth, createTestClient, startTestServer } = await import('./support/local-server.js');
const { createTestUser, TEST_PASSWORD } = await import('./support/refresh-fixtures.js');

type LocalServer = Awaited<ReturnType<typeof startTestServer>>;
type ProxyHandler = ReturnType<typeof createTokenHandler>;
type HttpResponse = Awaited<ReturnType<typeof postFormTo>>;

const MAX_FAILURES = 5;
const CLIENT_MAX_FAILURES = 5;

/** Returns the salt of a stored `$scrypt$…$<salt>$<hash>` password hash. */
function saltOf(passwordHash: string): string {
  const salt = passwordHash.split('$')[3];
  if (salt === undefined) throw new Error(`not a scrypt hash: ${passwordHash.slice(0, 12)}…`);
  return salt;
}

const checksWithSalt = (salt: string): number => scryptSalts.filter((candidate) => candidate === salt).length;

/** Store commands on the items named by `partitionKeys`, seen by one document client. */
interface CommandWatch {
  /** Resolves once `count` matching commands have started. */
  started(count: number): Promise<void>;
  /** Resolves once `count` matching commands have returned or failed. */
  finished(count: number): Promise<void>;
  /** Holds the `ordinal`-th matching command (1-based) before it is sent; resolves when it is being held. */
  hold(ordinal: number): Promise<void>;
  /** Sends the held command. */
  release(): void;
}

function watchCommands(db: DynamoDBDocumentClient, partitionKeys: readonly string[]): CommandWatch {
  const quoted = partitionKeys.map((key) => JSON.stringify(key));
  let startedCount = 0;
  let finishedCount = 0;
  const waiters: { kind: 'started' | 'finished'; count: number; resolve: () => void }[] = [];
  let holdOrdinal = 0;
  let onHeld: (() => void) | undefined;
  let releaseHeld: (() => void) | undefined;
  const heldGate = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });

  const notify = (): void => {
    for (const waiter of [...waiters]) {
      const reached = waiter.kind === 'started' ? startedCount >= waiter.count : finishedCount >= waiter.count;
      if (reached) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const waitFor = (kind: 'started' | 'finished', count: number): Promise<void> =>
    new Promise((resolve) => {
      waiters.push({ kind, count, resolve });
      notify();
    });

  db.middlewareStack.add(
    (next) => async (args) => {
      const input = JSON.stringify(args.input);
      if (!quoted.some((key) => input.includes(key))) return next(args);
      startedCount += 1;
      const ordinal = startedCount;
      notify();
      if (ordinal === holdOrdinal) {
        onHeld?.();
        await heldGate;
      }
      try {
        return await next(args);
      } finally {
        finishedCount += 1;
        notify();
      }
    },
    { step: 'initialize', name: 'watchLockoutCommands' },
  );

  return {
    started: (count) => waitFor('started', count),
    finished: (count) => waitFor('finished', count),
    hold: (ordinal) =>
      new Promise((resolve) => {
        holdOrdinal = ordinal;
        onHeld = resolve;
      }),
    release: () => releaseHeld?.(),
  };
}

describe('lockout under parallel requests', () => {
  let server: LocalServer;
  let appAuth: Record<string, string>;

  /** A token handler with its own store client and client cache, like one function instance. */
  function instance(watchedKeys: readonly string[] = []): { handler: ProxyHandler; watch: CommandWatch } {
    const deps = createDependencies(server.config);
    const watch = watchCommands(deps.db, watchedKeys);
    return { handler: createTokenHandler(deps), watch };
  }

  const login = (handler: ProxyHandler, username: string, password: string): Promise<HttpResponse> =>
    postFormTo(handler, '/oauth2/token', { grant_type: 'password', username, password }, appAuth);

  const userKeys = (username: string): string[] => [`USER#${username}`, `LOCK#user:${username}`];

  beforeAll(async () => {
    server = await startTestServer({
      LOCKOUT_MAX_FAILURES: String(MAX_FAILURES),
      LOCKOUT_SECONDS: '60',
      LOCKOUT_MAX_SECONDS: '600',
      CLIENT_LOCKOUT_MAX_FAILURES: String(CLIENT_MAX_FAILURES),
    });
    const app = await createTestClient(server, { clientId: 'burst-app', grantTypes: ['password', 'refresh_token'] });
    appAuth = { Authorization: basicAuth(app.clientId, app.clientSecret!) };
  });

  afterAll(async () => {
    await server.close();
  });

  describe('password grant', () => {
    it('correct password after burst rejected', async () => {
      const user = await createTestUser(server, 'burst-user');
      const checksBefore = checksWithSalt(saltOf(user.passwordHash));
      const { handler, watch } = instance(userKeys('burst-user'));

      // 19 wrong guesses get past their first store call, and their hashes are still running,
      // when the correct password arrives.
      const wrong = Array.from({ length: 19 }, () => login(handler, 'burst-user', 'wrong password'));
      await watch.finished(19);
      const correct = login(handler, 'burst-user', TEST_PASSWORD);
      const responses = await Promise.all([...wrong, correct]);
      const checks = checksWithSalt(saltOf(user.passwordHash)) - checksBefore;
      const afterwards = await login(handler, 'burst-user', TEST_PASSWORD);

      expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 20 }, () => 400));
      expect(checks).toBeLessThanOrEqual(MAX_FAILURES);
      expect(afterwards.statusCode).toBe(400);
    });

    it('sixty parallel guesses checked at most max', async () => {
      const user = await createTestUser(server, 'burst-sixty');
      const checksBefore = checksWithSalt(saltOf(user.passwordHash));
      const { handler } = instance();
      const passwords = Array.from({ length: 60 }, (_, index) => (index === 30 ? TEST_PASSWORD : `wrong password ${index}`));

      const responses = await Promise.all(passwords.map((password) => login(handler, 'burst-sixty', password)));
      const checks = checksWithSalt(saltOf(user.passwordHash)) - checksBefore;
      const afterwards = await login(handler, 'burst-sixty', TEST_PASSWORD);

      // The correct guess succeeds only when it was among the first MAX_FAILURES counted.
      expect(responses.filter((response) => response.statusCode === 200).length).toBeLessThanOrEqual(1);
      expect(checks).toBeLessThanOrEqual(MAX_FAILURES);
      expect(afterwards.statusCode).toBe(400);
    });

    it('success keeps concurrent lock', async () => {
      await createTestUser(server, 'racer');
      const attacker = instance();
      const victim = instance(userKeys('racer'));
      await login(attacker.handler, 'racer', 'wrong password');

      // The victim's login is checked and about to write its second store command (the reset
      // of the counters) when the attacker's guesses lock the account.
      const victimHeld = victim.watch.hold(2);
      const success = login(victim.handler, 'racer', TEST_PASSWORD);
      await victimHeld;
      for (let attempt = 0; attempt < MAX_FAILURES; attempt += 1) await login(attacker.handler, 'racer', 'wrong password');
      victim.watch.release();
      const victimResponse = await success;
      const afterwards = await login(attacker.handler, 'racer', TEST_PASSWORD);

      expect(victimResponse.statusCode).toBe(200);
      expect(afterwards.statusCode).toBe(400);
    });
  });

  describe('client secrets', () => {
    const credentials = (handler: ProxyHandler, clientId: string, secret: string): Promise<HttpResponse> =>
      postFormTo(handler, '/oauth2/token', { grant_type: 'client_credentials' }, { Authorization: basicAuth(clientId, secret) });

    it('correct secret after burst rejected', async () => {
      const client = await createTestClient(server, { clientId: 'burst-service' });
      const { handler, watch } = instance([`LOCK#client:${client.clientId}`]);
      expect((await credentials(handler, client.clientId, client.clientSecret!)).statusCode).toBe(200);

      const wrong = Array.from({ length: 59 }, (_, index) => credentials(handler, client.clientId, `wrong secret ${index}`));
      await watch.started(59);
      const correct = credentials(handler, client.clientId, client.clientSecret!);
      const responses = await Promise.all([...wrong, correct]);
      const afterwards = await credentials(handler, client.clientId, client.clientSecret!);
      const cold = await credentials(instance().handler, client.clientId, client.clientSecret!);

      expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 60 }, () => 401));
      expect(afterwards.statusCode).toBe(401);
      expect(cold.statusCode).toBe(401);
    });

    it('success keeps concurrent lock', async () => {
      const client = await createTestClient(server, { clientId: 'racing-service' });
      const first = instance();
      const second = instance();
      expect((await credentials(first.handler, client.clientId, client.clientSecret!)).statusCode).toBe(200);
      expect((await credentials(first.handler, client.clientId, 'wrong secret')).statusCode).toBe(401);

      // The second instance locks the client; the first still has only its own failure cached.
      for (let attempt = 0; attempt < CLIENT_MAX_FAILURES; attempt += 1) await credentials(second.handler, client.clientId, 'wrong secret');
      const firstCorrect = await credentials(first.handler, client.clientId, client.clientSecret!);
      const cold = await credentials(instance().handler, client.clientId, client.clientSecret!);

      expect(firstCorrect.statusCode).toBe(401);
      expect(cold.statusCode).toBe(401);
    });

    it('warm instance learns lock on failure', async () => {
      const client = await createTestClient(server, { clientId: 'unaware-service' });
      const unaware = instance();
      const other = instance();
      expect((await credentials(unaware.handler, client.clientId, client.clientSecret!)).statusCode).toBe(200);
      for (let attempt = 0; attempt < CLIENT_MAX_FAILURES; attempt += 1) await credentials(other.handler, client.clientId, 'wrong secret');

      const wrong = await credentials(unaware.handler, client.clientId, 'wrong secret');
      const correct = await credentials(unaware.handler, client.clientId, client.clientSecret!);

      expect(wrong.statusCode).toBe(401);
      expect(correct.statusCode).toBe(401);
    });
  });
});
