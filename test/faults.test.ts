/**
 * Store faults at the token, refresh, revocation and introspection endpoints and in the
 * authorizer. The handlers run against the real store; aws-sdk-client-mock only makes chosen
 * commands throttle, time out, fail with a 5xx or lose their connection, which a real store
 * cannot be made to do (see support/store-faults.ts).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalServer } from '../local/app.js';
import { classifyStoreFault, StoreCapacityError, storeFaultReason } from '../src/http/store-faults.js';
import type { ProxyHandler } from '../src/http/create-handler.js';
import type { HttpResponse } from '../src/http/responses.js';
import { createDependencies, createStoreKeyProvider, type Dependencies } from '../src/runtime/dependencies.js';
import { createIntrospectHandler, createRefreshHandler, createRevokeHandler, createTokenHandler } from '../src/runtime/handlers.js';
import { DenyListRepository } from '../src/store/deny-list-repository.js';
import { denyKey, familyKey, lockKey, userKey } from '../src/store/table.js';
import { createTestAuthorizer, invoke, restTokenEvent } from './support/authorizer-fixtures.js';
import { postFormTo } from './support/handler-events.js';
import { basicAuth, createTestClient, startTestServer, type TestClient } from './support/local-server.js';
import { createTestUser, familyIdOf, TEST_PASSWORD } from './support/refresh-fixtures.js';
import { createFaultyStore, FAULT_KINDS, onKeyPrefix, snapshotTable, type FaultyStore } from './support/store-faults.js';

const UNAVAILABLE_BODY = JSON.stringify({
  error: 'temporarily_unavailable',
  error_description: 'the service is temporarily unavailable; retry the request later',
});

interface Handlers {
  readonly token: ProxyHandler;
  readonly refresh: ProxyHandler;
  readonly revoke: ProxyHandler;
  readonly introspect: ProxyHandler;
}

function expectUnavailable(response: HttpResponse): void {
  expect(response.statusCode).toBe(503);
  expect(response.body).toBe(UNAVAILABLE_BODY);
  expect(response.headers['Retry-After']).toBe('1');
  expect(response.headers['Cache-Control']).toBe('no-store');
}

function bodyOf(response: HttpResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

describe('store faults', () => {
  let server: LocalServer;
  let store: FaultyStore;
  let handlers: Handlers;
  let graceHandlers: Handlers;
  let service: TestClient;
  let app: TestClient;

  const table = (): string => server.config.tableName;
  const snapshot = () => snapshotTable(store.real, table());
  const appAuth = (): Record<string, string> => ({ Authorization: basicAuth(app.clientId, app.clientSecret!) });
  const serviceAuth = (): Record<string, string> => ({ Authorization: basicAuth(service.clientId, service.clientSecret!) });

  function buildHandlers(deps: Dependencies): Handlers {
    return {
      token: createTokenHandler(deps),
      refresh: createRefreshHandler(deps),
      revoke: createRevokeHandler(deps),
      introspect: createIntrospectHandler(deps),
    };
  }

  /** Logs `username` in through the fault-free path and returns the token response. */
  async function login(username = 'alice'): Promise<{ access_token: string; refresh_token: string }> {
    const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username, password: TEST_PASSWORD }, appAuth());
    expect(response.statusCode).toBe(200);
    return JSON.parse(response.body) as { access_token: string; refresh_token: string };
  }

  async function familyItem(refreshToken: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await store.real.send(new GetCommand({ TableName: table(), Key: familyKey(familyIdOf(refreshToken)), ConsistentRead: true }));
    return Item;
  }

  beforeAll(async () => {
    server = await startTestServer();
    service = await createTestClient(server, { clientId: 'fault-service' });
    app = await createTestClient(server, { clientId: 'fault-app', grantTypes: ['password', 'refresh_token'] });
    await createTestUser(server, 'alice');
    store = createFaultyStore(server.dynamoDbEndpoint);

    // No client cache, so every request reads the client and a fault on that read is seen.
    const config = { ...server.config, clientCacheSeconds: 0 };
    const keys = createStoreKeyProvider(store.real, config);
    handlers = buildHandlers(createDependencies(config, { db: store.db, keys }));
    graceHandlers = buildHandlers(createDependencies({ ...config, refreshReuseGraceSeconds: 30 }, { db: store.db, keys }));
    // The first login creates the server's refresh-token key, so later snapshots compare only request effects.
    await login();
  });

  afterEach(() => {
    store.clear();
  });

  afterAll(async () => {
    store.close();
    await server.close();
  });

  describe.each(FAULT_KINDS)('%s', (kind) => {
    it('token client_credentials answers 503', async () => {
      const before = await snapshot();
      store.inject({ command: 'BatchGetCommand', kind });

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'client_credentials' }, serviceAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('token password count answers 503', async () => {
      // The UpdateItem that counts the attempt also reads the user.
      store.inject({ command: 'UpdateCommand', kind, match: onKeyPrefix('USER#') });
      const before = await snapshot();

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'alice', password: TEST_PASSWORD }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('token password family write answers 503', async () => {
      store.inject({ command: 'PutCommand', kind, match: onKeyPrefix('FAMILY#') });
      const before = await snapshot();

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'alice', password: TEST_PASSWORD }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('refresh rotation write answers 503', async () => {
      const tokens = await login();
      const before = await snapshot();
      store.inject({ command: 'UpdateCommand', kind, match: onKeyPrefix('FAMILY#') });

      const response = await postFormTo(handlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
      store.clear();
      const retry = await postFormTo(handlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());
      expect(retry.statusCode).toBe(200);
    });

    it('refresh family read answers 503', async () => {
      const tokens = await login();
      const before = await snapshot();
      store.inject({ command: 'GetCommand', kind, match: onKeyPrefix('FAMILY#') });

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('revoke deny-list write answers 503', async () => {
      const tokens = await login();
      const before = await snapshot();
      store.inject({ command: 'PutCommand', kind, match: onKeyPrefix('DENY#') });

      const response = await postFormTo(handlers.revoke, '/oauth2/revoke', { token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('introspect family read answers 503', async () => {
      const tokens = await login();
      const before = await snapshot();
      store.inject({ command: 'GetCommand', kind, match: onKeyPrefix('FAMILY#') });

      const response = await postFormTo(handlers.introspect, '/oauth2/introspect', { token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('introspect deny-list read answers 503', async () => {
      const tokens = await login();
      const before = await snapshot();
      store.inject({ command: 'BatchGetCommand', kind, match: onKeyPrefix('DENY#') });

      const response = await postFormTo(handlers.introspect, '/oauth2/introspect', { token: tokens.access_token }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('authorizer fails closed', async () => {
      const tokens = await login();
      const authorizer = createTestAuthorizer(server, { denyList: new DenyListRepository(store.db, table()) });
      store.inject({ command: 'BatchGetCommand', kind });

      const outcome = await invoke(authorizer, restTokenEvent(`Bearer ${tokens.access_token}`));

      expect(outcome.result).toBeUndefined();
      expect(outcome.error).toBe('Error: Unauthorized');
      expect(store.calls).toContain('BatchGetCommand');
    });
  });

  describe('partial writes', () => {
    it('password family stored, response lost', async () => {
      store.inject({ command: 'PutCommand', kind: 'timeout', match: onKeyPrefix('FAMILY#'), applied: true });

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'alice', password: TEST_PASSWORD }, appAuth());

      // A family without a delivered token is harmless: nobody holds its refresh token, and TTL removes it.
      expectUnavailable(response);
      expect(response.body).not.toContain('access_token');
    });

    it('unknown user counter write answers 503', async () => {
      const before = await snapshot();
      store.inject({ command: 'UpdateCommand', kind: 'throttling', match: onKeyPrefix('LOCK#') });

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'nobody-counted', password: 'wrong' }, appAuth());

      expectUnavailable(response);
      expect(await snapshot()).toEqual(before);
    });

    it('password reset write answers 503', async () => {
      const { Item: before } = await store.real.send(new GetCommand({ TableName: table(), Key: userKey('alice'), ConsistentRead: true }));
      // The first UpdateItem on the user counts the attempt; the second resets the count after the check.
      store.inject({ command: 'UpdateCommand', kind: 'throttling', match: onKeyPrefix('USER#'), skip: 1, times: 1 });

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'alice', password: TEST_PASSWORD }, appAuth());

      expectUnavailable(response);
      const { Item: after } = await store.real.send(new GetCommand({ TableName: table(), Key: userKey('alice'), ConsistentRead: true }));
      // No token was issued, and the attempt stays counted as a failure.
      expect(after?.failures).toBe(Number(before?.failures ?? 0) + 1);
      store.clear();
      const retry = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'alice', password: TEST_PASSWORD }, appAuth());
      expect(retry.statusCode).toBe(200);
    });

    it('rotation applied, response lost, recovered', async () => {
      const tokens = await login();
      const generation = Number((await familyItem(tokens.refresh_token))?.generation);
      store.inject({ command: 'UpdateCommand', kind: 'timeout', match: onKeyPrefix('FAMILY#'), applied: true });

      const response = await postFormTo(handlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());

      expect(response.statusCode).toBe(200);
      const rotated = bodyOf(response);
      expect(String(rotated.refresh_token).split('.')[2]).toBe(String(generation + 1));
      expect((await familyItem(tokens.refresh_token))?.generation).toBe(generation + 1);
      store.clear();
      const next = await postFormTo(handlers.refresh, '/oauth2/refresh', { refresh_token: String(rotated.refresh_token) }, appAuth());
      expect(next.statusCode).toBe(200);
    });

    it('rotation outcome unknown, grace retry', async () => {
      const tokens = await login();
      store.inject({ command: 'UpdateCommand', kind: 'timeout', match: onKeyPrefix('FAMILY#'), applied: true });
      // The first family read is the grant's own; the second is the read that checks the rotation's outcome.
      store.inject({ command: 'GetCommand', kind: 'timeout', match: onKeyPrefix('FAMILY#'), skip: 1, times: 1 });

      const response = await postFormTo(graceHandlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      expect((await familyItem(tokens.refresh_token))?.generation).toBe(2);
      store.clear();
      const retry = await postFormTo(graceHandlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());
      expect(retry.statusCode).toBe(200);
      expect(String(bodyOf(retry).refresh_token).split('.')[2]).toBe('2');
    });

    it('rotation outcome unknown, no grace', async () => {
      const tokens = await login();
      store.inject({ command: 'UpdateCommand', kind: 'timeout', match: onKeyPrefix('FAMILY#'), applied: true });
      // The first family read is the grant's own; the second is the read that checks the rotation's outcome.
      store.inject({ command: 'GetCommand', kind: 'timeout', match: onKeyPrefix('FAMILY#'), skip: 1, times: 1 });

      const response = await postFormTo(handlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      store.clear();
      // Without a grace window the retry is indistinguishable from reuse: the family is revoked (fail closed).
      const retry = await postFormTo(handlers.refresh, '/oauth2/refresh', { refresh_token: tokens.refresh_token }, appAuth());
      expect(retry.statusCode).toBe(400);
      expect(bodyOf(retry).error).toBe('invalid_grant');
      expect((await familyItem(tokens.refresh_token))?.revokedReason).toBe('refresh_token_reuse');
    });

    it('revoke family mark fails, retry completes', async () => {
      const tokens = await login();
      const familyId = familyIdOf(tokens.refresh_token);
      store.inject({ command: 'UpdateCommand', kind: 'server-error', match: onKeyPrefix('FAMILY#') });

      const response = await postFormTo(handlers.revoke, '/oauth2/revoke', { token: tokens.refresh_token }, appAuth());

      expectUnavailable(response);
      const { Item: deny } = await store.real.send(new GetCommand({ TableName: table(), Key: denyKey('sid', familyId), ConsistentRead: true }));
      expect(deny?.reason).toBe('revoked_by_client');
      expect((await familyItem(tokens.refresh_token))?.revokedAt).toBeUndefined();
      store.clear();
      const retry = await postFormTo(handlers.revoke, '/oauth2/revoke', { token: tokens.refresh_token }, appAuth());
      expect(retry.statusCode).toBe(200);
      expect((await familyItem(tokens.refresh_token))?.revokedReason).toBe('revoked_by_client');
    });

    it('lock item untouched by read fault', async () => {
      store.inject({ command: 'BatchGetCommand', kind: 'network' });

      const response = await postFormTo(handlers.token, '/oauth2/token', { grant_type: 'password', username: 'nobody', password: 'x' }, appAuth());

      expectUnavailable(response);
      const { Item } = await store.real.send(new GetCommand({ TableName: table(), Key: lockKey('user', 'nobody'), ConsistentRead: true }));
      expect(Item).toBeUndefined();
    });
  });
});

describe('classifyStoreFault', () => {
  const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error('fault'), { name, ...extra });

  it.each([
    ['ProvisionedThroughputExceededException', named('ProvisionedThroughputExceededException')],
    ['ThrottlingException', named('ThrottlingException')],
    ['RequestLimitExceeded', named('RequestLimitExceeded')],
    ['InternalServerError', named('InternalServerError')],
    ['ServiceUnavailable', named('ServiceUnavailable')],
    ['TimeoutError', named('TimeoutError')],
    ['ECONNREFUSED', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['retryable', named('SomethingNew', { $retryable: { throttling: false } })],
    ['HTTP 503', named('UnknownError', { $metadata: { httpStatusCode: 503 } })],
    ['server fault', named('UnknownError', { $fault: 'server' })],
    ['wrapped cause', new Error('request failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })],
    ['unprocessed keys', new StoreCapacityError('batch read left keys unprocessed')],
  ])('maps %s to 503', (_label, error) => {
    const mapped = classifyStoreFault(error);

    expect(mapped.status).toBe(503);
    expect(mapped.code).toBe('temporarily_unavailable');
    expect(mapped.detail).toMatch(/^store fault: /);
  });

  it.each([
    ['ValidationException', named('ValidationException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['plain error', new Error('bug')],
    ['string', 'not an error'],
    ['undefined', undefined],
  ])('maps %s to 500', (_label, error) => {
    const mapped = classifyStoreFault(error);

    expect(mapped.status).toBe(500);
    expect(mapped.code).toBe('server_error');
    expect(storeFaultReason(error)).toBeUndefined();
  });
});
