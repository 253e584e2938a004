import { jest } from '@jest/globals';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LocalServer } from '../local/app.js';
import { createLockoutListener } from '../src/security/lockout-listener.js';
import { createDependencies } from '../src/runtime/dependencies.js';
import { createTokenHandler } from '../src/runtime/handlers.js';
import { lockKey, userKey, type ItemKey } from '../src/store/table.js';
import { postFormTo } from './support/handler-events.js';
import { basicAuth, createTestClient, startTestServer, type TestClient } from './support/local-server.js';
import { createTestUser, nowSeconds, TEST_PASSWORD } from './support/refresh-fixtures.js';

const MAX_FAILURES = 3;
const LOCK_SECONDS = 60;

interface RawResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Headers that differ between any two responses and say nothing about the request. */
const VOLATILE_HEADERS = new Set(['date', 'connection', 'keep-alive']);

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const kept: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!VOLATILE_HEADERS.has(name)) kept[name] = value;
  });
  return { status: response.status, body: await response.text(), headers: kept };
}

describe('lockout', () => {
  let server: LocalServer;
  let tokenUrl: string;
  let app: TestClient;
  let service: TestClient;

  const appAuth = (): Record<string, string> => ({ authorization: basicAuth(app.clientId, app.clientSecret!) });
  const login = (username: string, password: string): Promise<RawResponse> =>
    post(tokenUrl, { grant_type: 'password', username, password }, appAuth());

  async function readItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const { Item } = await server.deps.db.send(new GetCommand({ TableName: server.config.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  /** Reads the lock item of an unknown username or a client id. */
  const lockItem = (kind: 'user' | 'client', id: string): Promise<Record<string, unknown> | undefined> => readItem(lockKey(kind, id));
  /** Reads a user item, which carries the counters of an existing user. */
  const userItem = (username: string): Promise<Record<string, unknown> | undefined> => readItem(userKey(username));

  /** Moves the stored lock and window on the item `key` into the past instead of waiting. */
  async function expireLock(key: ItemKey): Promise<void> {
    const past = nowSeconds() - 1;
    await server.deps.db.send(
      new UpdateCommand({
        TableName: server.config.tableName,
        Key: key,
        UpdateExpression: 'SET lockedUntil = :past, windowEndsAt = :past',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':past': past },
      }),
    );
  }

  async function failTimes(username: string, times: number): Promise<RawResponse[]> {
    const responses: RawResponse[] = [];
    for (let attempt = 0; attempt < times; attempt += 1) responses.push(await login(username, 'wrong password'));
    return responses;
  }

  beforeAll(async () => {
    server = await startTestServer({
      LOCKOUT_MAX_FAILURES: String(MAX_FAILURES),
      LOCKOUT_SECONDS: String(LOCK_SECONDS),
      LOCKOUT_MAX_SECONDS: '600',
      CLIENT_LOCKOUT_MAX_FAILURES: String(MAX_FAILURES),
    });
    tokenUrl = `${server.url}/oauth2/token`;
    app = await createTestClient(server, { clientId: 'lockout-app', grantTypes: ['password', 'refresh_token'] });
    service = await createTestClient(server, { clientId: 'lockout-service' });
    for (const username of ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus']) await createTestUser(server, username);
  });

  afterAll(async () => {
    await server.close();
  });

  describe('password grant', () => {
    it('N-th failure locks', async () => {
      await failTimes('ann', MAX_FAILURES - 1);
      const counting = await userItem('ann');

      await failTimes('ann', 1);
      const locked = await userItem('ann');

      expect(counting?.failures).toBe(MAX_FAILURES - 1);
      expect(counting?.lockedUntil).toBe(0);
      expect(Number(locked?.lockedUntil)).toBeGreaterThanOrEqual(nowSeconds() + LOCK_SECONDS - 2);
      expect(locked?.lockouts).toBe(1);
      expect(locked?.failures).toBe(0);
    });

    it('correct password during lockout fails', async () => {
      await failTimes('bob', MAX_FAILURES);

      const response = await login('bob', TEST_PASSWORD);

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'invalid_grant', error_description: 'the username or password is incorrect' });
      // While locked, failures counts the attempts made during the lock.
      expect((await userItem('bob'))?.failures).toBe(1);
    });

    it('responses byte-identical to wrong password', async () => {
      const wrongPassword = await login('cat', 'wrong password');
      const unknownUser = await login('nobody-here', 'wrong password');
      await failTimes('cat', MAX_FAILURES);
      const lockedCorrect = await login('cat', TEST_PASSWORD);
      const lockedWrong = await login('cat', 'wrong password');
      const lockingResponse = (await failTimes('dan', MAX_FAILURES))[MAX_FAILURES - 1];

      for (const response of [unknownUser, lockedCorrect, lockedWrong, lockingResponse]) {
        expect(response?.status).toBe(wrongPassword.status);
        expect(response?.body).toBe(wrongPassword.body);
        expect(response?.headers).toEqual(wrongPassword.headers);
      }
    });

    it('lockout expires', async () => {
      await failTimes('eve', MAX_FAILURES);
      await expireLock(userKey('eve'));

      const response = await login('eve', TEST_PASSWORD);
      const item = await userItem('eve');

      expect(response.status).toBe(200);
      expect(item?.failures).toBe(0);
      expect(item?.windowEndsAt).toBeUndefined();
      // The success keeps the lockout history, so a new lock of this user lasts twice as long.
      expect(item?.lockouts).toBe(1);
    });

    it('success resets count', async () => {
      await failTimes('fay', MAX_FAILURES - 1);

      const success = await login('fay', TEST_PASSWORD);
      await failTimes('fay', MAX_FAILURES - 1);
      const stillOpen = await login('fay', TEST_PASSWORD);

      expect(success.status).toBe(200);
      expect(stillOpen.status).toBe(200);
    });

    it('lock duration doubles', async () => {
      await failTimes('gus', MAX_FAILURES);
      const first = await userItem('gus');
      await expireLock(userKey('gus'));

      await failTimes('gus', MAX_FAILURES);
      const second = await userItem('gus');

      const firstDuration = Number(first?.lockedUntil) - nowSeconds();
      const secondDuration = Number(second?.lockedUntil) - nowSeconds();
      expect(firstDuration).toBeGreaterThan(LOCK_SECONDS - 5);
      expect(firstDuration).toBeLessThanOrEqual(LOCK_SECONDS);
      expect(secondDuration).toBeGreaterThan(2 * LOCK_SECONDS - 5);
      expect(secondDuration).toBeLessThanOrEqual(2 * LOCK_SECONDS);
      expect(second?.lockouts).toBe(2);
    });

    it('unknown username counted alike', async () => {
      await failTimes('ghost', MAX_FAILURES);

      const item = await lockItem('user', 'ghost');

      expect(item?.lockouts).toBe(1);
      expect(Number(item?.lockedUntil)).toBeGreaterThan(nowSeconds());
      expect(Number(item?.expiresAt)).toBeGreaterThan(Number(item?.lockedUntil));
    });

    it('ended window restarts count', async () => {
      await failTimes('window-user', MAX_FAILURES - 1);
      await expireLock(lockKey('user', 'window-user'));

      await failTimes('window-user', 1);
      const item = await lockItem('user', 'window-user');

      expect(item?.failures).toBe(1);
      expect(item?.lockouts).toBe(0);
      expect(Number(item?.lockedUntil)).toBeLessThan(nowSeconds());
    });

    it('parallel failures lock once', async () => {
      const responses = await Promise.all(Array.from({ length: 12 }, () => login('parallel-user', 'wrong password')));

      const item = await lockItem('user', 'parallel-user');

      expect(responses.every((response) => response.status === 400)).toBe(true);
      expect(item?.lockouts).toBe(1);
      expect(Number(item?.lockedUntil)).toBeGreaterThan(nowSeconds());
    });
  });

  describe('client secrets', () => {
    const clientCredentials = (secret: string): Promise<RawResponse> =>
      post(tokenUrl, { grant_type: 'client_credentials' }, { authorization: basicAuth(service.clientId, secret) });

    it('locks, rejects, expires, resets', async () => {
      const wrong: RawResponse[] = [];
      for (let attempt = 0; attempt < MAX_FAILURES; attempt += 1) wrong.push(await clientCredentials('wrong secret'));
      const lockedCorrect = await clientCredentials(service.clientSecret!);

      expect(wrong.every((response) => response.status === 401)).toBe(true);
      expect(lockedCorrect.status).toBe(401);
      expect(lockedCorrect.body).toBe(wrong[0]?.body);
      expect(lockedCorrect.headers).toEqual(wrong[0]?.headers);
      expect((await lockItem('client', service.clientId))?.lockouts).toBe(1);

      await expireLock(lockKey('client', service.clientId));
      // A fresh server instance stands for a function instance whose cache has not seen the lock.
      const fresh = createTokenHandler(createDependencies(server.config));
      const unlocked = await postFormTo(fresh, '/oauth2/token', { grant_type: 'client_credentials' }, { Authorization: basicAuth(service.clientId, service.clientSecret!) });
      expect(unlocked.statusCode).toBe(200);
      expect((await lockItem('client', service.clientId))?.lockouts).toBe(1);
    });

    it('lock seen by cold instance', async () => {
      const other = await createTestClient(server, { clientId: 'lockout-other' });
      for (let attempt = 0; attempt < MAX_FAILURES; attempt += 1) {
        await post(tokenUrl, { grant_type: 'client_credentials' }, { authorization: basicAuth(other.clientId, 'wrong') });
      }

      const cold = createTokenHandler(createDependencies(server.config));
      const response = await postFormTo(cold, '/oauth2/token', { grant_type: 'client_credentials' }, { Authorization: basicAuth(other.clientId, other.clientSecret!) });

      expect(response.statusCode).toBe(401);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('round trips', () => {
    it('warm client_credentials makes none', async () => {
      const deps = createDependencies(server.config);
      const handler = createTokenHandler(deps);
      let calls = 0;
      deps.db.middlewareStack.add((next) => (args) => {
        calls += 1;
        return next(args);
      }, { step: 'initialize', name: 'countCalls' });
      const auth = { Authorization: basicAuth(service.clientId, service.clientSecret!) };
      await postFormTo(handler, '/oauth2/token', { grant_type: 'client_credentials' }, auth);
      calls = 0;

      const response = await postFormTo(handler, '/oauth2/token', { grant_type: 'client_credentials' }, auth);

      expect(response.statusCode).toBe(200);
      expect(calls).toBe(0);
    });

    it('password grant makes at most three', async () => {
      await createTestUser(server, 'round-trip-user');
      const deps = createDependencies(server.config);
      const handler = createTokenHandler(deps);
      let calls = 0;
      deps.db.middlewareStack.add((next) => (args) => {
        calls += 1;
        return next(args);
      }, { step: 'initialize', name: 'countCalls' });
      const auth = { Authorization: basicAuth(app.clientId, app.clientSecret!) };
      const form = (password: string) => ({ grant_type: 'password', username: 'round-trip-user', password });
      await postFormTo(handler, '/oauth2/token', form(TEST_PASSWORD), auth);

      calls = 0;
      const clean = await postFormTo(handler, '/oauth2/token', form(TEST_PASSWORD), auth);
      const cleanCalls = calls;
      calls = 0;
      const failed = await postFormTo(handler, '/oauth2/token', form('wrong password'), auth);
      const failedCalls = calls;
      calls = 0;
      const afterFailure = await postFormTo(handler, '/oauth2/token', form(TEST_PASSWORD), auth);
      const afterFailureCalls = calls;
      calls = 0;
      const unknown = await postFormTo(handler, '/oauth2/token', { grant_type: 'password', username: 'round-trip-nobody', password: 'wrong password' }, auth);
      const unknownCalls = calls;

      // Success: the counting UpdateItem (which reads the user), the reset and the family PutItem.
      expect(clean.statusCode).toBe(200);
      expect(cleanCalls).toBe(3);
      expect(failed.statusCode).toBe(400);
      expect(failedCalls).toBe(1);
      expect(afterFailure.statusCode).toBe(200);
      expect(afterFailureCalls).toBe(3);
      // Unknown user: the failed UpdateItem on the user item, then the lock item's counter.
      expect(unknown.statusCode).toBe(400);
      expect(unknownCalls).toBe(2);
    });
  });

  describe('listener', () => {
    it('logs a warning without the name', () => {
      const logger = new Logger({ serviceName: 'lockout-test' });
      const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      const listener = createLockoutListener(logger);

      listener({ kind: 'user', subjectRef: 'username-sha256:0123456789abcdef', failures: 5, lockedUntil: 1000, lockouts: 1 });

      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toBe('authentication locked after repeated failures');
      expect(warn.mock.calls[0]?.[1]).toEqual({
        reason: 'lockout',
        lock_kind: 'user',
        subject: 'username-sha256:0123456789abcdef',
        failures: 5,
        locked_until: 1000,
        lockouts: 1,
      });
    });
  });
});
