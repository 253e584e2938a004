import type { LocalServer } from '../local/app.js';
import { evaluatePolicy } from '../local/policy-evaluator.js';
import type { AuthorizerHandler } from '../src/authorizer/handler.js';
import type { DenyListReader } from '../src/authorizer/revocation.js';
import {
  createTestAuthorizer,
  httpApiEvent,
  invoke,
  methodArn,
  restRequestEvent,
  restTokenEvent,
  signAccessToken,
} from './support/authorizer-fixtures.js';
import { startTestServer } from './support/local-server.js';

const RULES = JSON.stringify({ 'GET /orders/*': 'orders:read', 'POST /orders': 'orders:write' });
const ORDERS_1 = methodArn('GET', '/orders/1');
const NEW_ORDER = methodArn('POST', '/orders');
const UNAUTHORIZED = 'Error: Unauthorized';

type EventBuilder = (authorization: string | undefined, arn: string) => Record<string, unknown>;

/** One builder per event type, all carrying the credentials in the way that type does. */
const EVENT_TYPES: Array<[string, EventBuilder]> = [
  ['REST TOKEN', (authorization, arn) => restTokenEvent(authorization, arn)],
  ['REST REQUEST', (authorization, arn) => restRequestEvent(authorization === undefined ? {} : { Authorization: authorization }, arn)],
  ['HTTP API 2.0', (authorization, arn) => httpApiEvent(authorization === undefined ? {} : { Authorization: authorization }, arn)],
];

describe('authorizer events', () => {
  let server: LocalServer;
  let handler: AuthorizerHandler;
  let iamHandler: AuthorizerHandler;
  let readToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    handler = createTestAuthorizer(server, { env: { SCOPE_RULES: RULES } });
    iamHandler = createTestAuthorizer(server, { env: { SCOPE_RULES: RULES, HTTP_API_SIMPLE_RESPONSES: 'false' } });
    readToken = await signAccessToken(server, { sub: 'user-7', client_id: 'shop', scope: 'orders:read', sid: 'family-1' });
  });
  afterAll(async () => {
    await server.close();
  });

  describe.each(EVENT_TYPES)('%s', (_name, build) => {
    it('allows a valid token', async () => {
      const { result, error } = await invoke(handler, build(`Bearer ${readToken}`, ORDERS_1));
      expect(error).toBeUndefined();
      const context = result?.context as Record<string, unknown>;
      expect(context).toEqual({ sub: 'user-7', client_id: 'shop', scope: 'orders:read', jti: expect.any(String) });
      for (const value of Object.values(context)) expect(typeof value).toBe('string');
      if ('isAuthorized' in (result ?? {})) {
        expect(result?.isAuthorized).toBe(true);
      } else {
        expect(result?.principalId).toBe('user-7');
        expect(evaluatePolicy(result?.policyDocument, ORDERS_1)).toBe('Allow');
      }
    });

    it('accepts lower-case bearer', async () => {
      const { error } = await invoke(handler, build(`bearer ${readToken}`, ORDERS_1));
      expect(error).toBeUndefined();
    });

    it.each([
      ['missing header', undefined],
      ['empty value', ''],
      ['scheme only', 'Bearer'],
      ['scheme and spaces', 'Bearer   '],
      ['Basic scheme', 'Basic dXNlcjpwYXNz'],
      ['token without scheme', 'TOKEN'],
      ['two tokens', 'Bearer aaa.bbb.ccc ddd.eee.fff'],
      ['comma-joined values', 'Bearer aaa.bbb.ccc,Bearer ddd.eee.fff'],
      ['oversized value', `Bearer ${'a'.repeat(9000)}`],
      ['garbage token', 'Bearer not-a-jwt'],
    ])('rejects %s with 401', async (_case, authorization) => {
      const value = authorization === 'TOKEN' ? readToken : authorization;
      const { result, error } = await invoke(handler, build(value, ORDERS_1));
      expect(result).toBeUndefined();
      expect(error).toBe(UNAUTHORIZED);
    });

    it('denies a missing scope with 403', async () => {
      const { result, error } = await invoke(handler, build(`Bearer ${readToken}`, NEW_ORDER));
      expect(error).toBeUndefined();
      if ('isAuthorized' in (result ?? {})) expect(result?.isAuthorized).toBe(false);
      else expect(evaluatePolicy(result?.policyDocument, NEW_ORDER)).toBe('ExplicitDeny');
    });
  });

  describe('headers', () => {
    it.each(['authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn'])('REST REQUEST reads %s', async (name) => {
      const { error } = await invoke(handler, restRequestEvent({ [name]: `Bearer ${readToken}` }));
      expect(error).toBeUndefined();
    });

    it('REST REQUEST rejects two Authorization headers', async () => {
      const event = restRequestEvent({ Authorization: `Bearer ${readToken}`, authorization: `Bearer ${readToken}` });
      expect((await invoke(handler, event)).error).toBe(UNAUTHORIZED);
    });

    it('REST REQUEST rejects repeated multi-value header', async () => {
      const event = { ...restRequestEvent({ Authorization: `Bearer ${readToken}` }), multiValueHeaders: { Authorization: [`Bearer ${readToken}`, 'Bearer x'] } };
      expect((await invoke(handler, event)).error).toBe(UNAUTHORIZED);
    });

    it('HTTP API reads identitySource only', async () => {
      const event = httpApiEvent({}, ORDERS_1, [`Bearer ${readToken}`]);
      expect((await invoke(handler, event)).result?.isAuthorized).toBe(true);
    });

    it('HTTP API picks bearer among sources', async () => {
      const event = httpApiEvent({}, ORDERS_1, ['GET /orders/{id}', `Bearer ${readToken}`]);
      expect((await invoke(handler, event)).result?.isAuthorized).toBe(true);
    });

    it('HTTP API rejects two bearer sources', async () => {
      const event = httpApiEvent({}, ORDERS_1, [`Bearer ${readToken}`, `Bearer ${readToken}`]);
      expect((await invoke(handler, event)).error).toBe(UNAUTHORIZED);
    });
  });

  describe('HTTP API IAM responses', () => {
    it('returns an allowing policy', async () => {
      const { result } = await invoke(iamHandler, httpApiEvent({ authorization: `Bearer ${readToken}` }, ORDERS_1));
      expect(result?.principalId).toBe('user-7');
      expect(evaluatePolicy(result?.policyDocument, ORDERS_1)).toBe('Allow');
    });

    it('denies a missing scope', async () => {
      const { result } = await invoke(iamHandler, httpApiEvent({ authorization: `Bearer ${readToken}` }, NEW_ORDER));
      expect(evaluatePolicy(result?.policyDocument, NEW_ORDER)).toBe('ExplicitDeny');
    });
  });

  describe('unknown shapes', () => {
    it.each([
      ['null', null],
      ['string', 'Bearer x'],
      ['empty object', {}],
      ['TOKEN without methodArn', { type: 'TOKEN', authorizationToken: 'Bearer x' }],
      ['REQUEST without ARN', { type: 'REQUEST', headers: {} }],
      ['unknown type', { type: 'COGNITO', methodArn: ORDERS_1 }],
      ['unknown version', { version: '3.0', type: 'REQUEST', routeArn: ORDERS_1, headers: {} }],
      ['non-execute-api ARN', { type: 'TOKEN', methodArn: 'arn:aws:s3:::bucket/key', authorizationToken: 'Bearer x' }],
    ])('rejects %s with 401', async (_case, event) => {
      expect((await invoke(handler, event)).error).toBe(UNAUTHORIZED);
    });

    it('rejects a valid token in an unknown shape', async () => {
      const event = { type: 'WEBSOCKET', methodArn: ORDERS_1, authorizationToken: `Bearer ${readToken}` };
      expect((await invoke(handler, event)).error).toBe(UNAUTHORIZED);
    });
  });

  describe('revocation store faults', () => {
    // The embedded store cannot be made to fail one read on demand, so this reader throws.
    const failingDenyList: DenyListReader = {
      findDenied: () => Promise.reject(new Error('simulated deny-list outage')),
    };

    it('fails closed by default', async () => {
      const closed = createTestAuthorizer(server, { denyList: failingDenyList });
      expect((await invoke(closed, restTokenEvent(`Bearer ${readToken}`))).error).toBe(UNAUTHORIZED);
    });

    it('fails open when configured', async () => {
      const open = createTestAuthorizer(server, { denyList: failingDenyList, env: { REVOCATION_FAIL_OPEN: 'true' } });
      expect((await invoke(open, restTokenEvent(`Bearer ${readToken}`))).error).toBeUndefined();
    });

    it('skips the store when disabled', async () => {
      const unchecked = createTestAuthorizer(server, { denyList: failingDenyList, env: { REVOCATION_CHECK: 'false' } });
      expect((await invoke(unchecked, restTokenEvent(`Bearer ${readToken}`))).error).toBeUndefined();
    });
  });

  describe('configuration', () => {
    it.each([
      ['SCOPE_RULES', 'not json'],
      ['SCOPE_RULES', '["GET /a"]'],
      ['SCOPE_RULES', '{"GET":"a"}'],
      ['SCOPE_RULES', '{"FETCH /a":"a"}'],
      ['SCOPE_RULES', '{"GET /a?":"a"}'],
      ['SCOPE_RULES', '{"GET /a":["a"]}'],
      ['SCOPE_RULES', '{"GET /a":"a  b"}'],
      ['MAX_TOKEN_BYTES', '8k'],
      ['CLOCK_TOLERANCE_SECONDS', '-1'],
      ['REVOCATION_CHECK', 'maybe'],
      ['AUTHORIZER_ALGORITHMS', 'HS256'],
      ['AUTHORIZER_ALGORITHMS', 'none'],
    ])('rejects %s=%s at cold start', (name, value) => {
      expect(() => createTestAuthorizer(server, { env: { [name]: value } })).toThrow(TypeError);
    });
  });
});
