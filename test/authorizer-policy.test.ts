import type { LocalServer } from '../local/app.js';
import { evaluatePolicy } from '../local/policy-evaluator.js';
import { buildPolicy, parseRouteArn } from '../src/authorizer/policy.js';
import { parseScopeRules } from '../src/authorizer/scope-rules.js';
import { createTestAuthorizer, httpApiEvent, invoke, methodArn, restTokenEvent, signAccessToken, STAGE_PREFIX } from './support/authorizer-fixtures.js';
import { startTestServer } from './support/local-server.js';

const RULES = JSON.stringify({ 'GET /orders/*': 'orders:read', 'POST /orders': 'orders:write', '* /admin/*': 'admin' });

describe('policy evaluator', () => {
  const policy = (statements: unknown[]): unknown => ({ Version: '2012-10-17', Statement: statements });
  const allow = (resource: string | string[]): unknown => ({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resource });
  const deny = (resource: string | string[]): unknown => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: resource });

  it('star spans slashes', () => {
    expect(evaluatePolicy(policy([allow(`${STAGE_PREFIX}GET/*`)]), methodArn('GET', '/a/b/c'))).toBe('Allow');
  });

  it('question mark matches one character', () => {
    const document = policy([allow(`${STAGE_PREFIX}GET/item/?`)]);
    expect(evaluatePolicy(document, methodArn('GET', '/item/7'))).toBe('Allow');
    expect(evaluatePolicy(document, methodArn('GET', '/item/77'))).toBe('ImplicitDeny');
  });

  it('explicit deny wins', () => {
    const document = policy([allow(`${STAGE_PREFIX}*`), deny(`${STAGE_PREFIX}POST/orders`)]);
    expect(evaluatePolicy(document, methodArn('POST', '/orders'))).toBe('ExplicitDeny');
    expect(evaluatePolicy(document, methodArn('GET', '/orders'))).toBe('Allow');
  });

  it('deny order does not matter', () => {
    const document = policy([deny(`${STAGE_PREFIX}POST/orders`), allow(`${STAGE_PREFIX}*`)]);
    expect(evaluatePolicy(document, methodArn('POST', '/orders'))).toBe('ExplicitDeny');
  });

  it('no match is an implicit deny', () => {
    expect(evaluatePolicy(policy([allow(`${STAGE_PREFIX}GET/a`)]), methodArn('GET', '/b'))).toBe('ImplicitDeny');
  });

  it('resources compare case-sensitively', () => {
    expect(evaluatePolicy(policy([allow(`${STAGE_PREFIX}GET/Orders`)]), methodArn('GET', '/orders'))).toBe('ImplicitDeny');
  });

  it('actions compare case-insensitively', () => {
    const document = policy([{ Effect: 'Allow', Action: ['EXECUTE-API:*'], Resource: `${STAGE_PREFIX}*` }]);
    expect(evaluatePolicy(document, methodArn('GET', '/x'))).toBe('Allow');
  });

  it('other actions do not apply', () => {
    const document = policy([{ Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: '*' }]);
    expect(evaluatePolicy(document, methodArn('GET', '/x'))).toBe('ImplicitDeny');
  });

  it('other stages do not match', () => {
    expect(evaluatePolicy(policy([allow(`${STAGE_PREFIX}*`)]), 'arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/GET/x')).toBe('ImplicitDeny');
  });

  it('dots and dashes are literal', () => {
    const document = policy([allow(`${STAGE_PREFIX}GET/a.b-c`)]);
    expect(evaluatePolicy(document, methodArn('GET', '/a.b-c'))).toBe('Allow');
    expect(evaluatePolicy(document, methodArn('GET', '/aXb-c'))).toBe('ImplicitDeny');
  });

  it('rejects conditions', () => {
    const document = policy([{ ...(allow('*') as object), Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]);
    expect(() => evaluatePolicy(document, methodArn('GET', '/x'))).toThrow(TypeError);
  });

  it('rejects a wrong version', () => {
    expect(() => evaluatePolicy({ Version: '2008-10-17', Statement: [allow('*')] }, methodArn('GET', '/x'))).toThrow(TypeError);
  });
});

describe('authorizer policy', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('cached policy fits later routes', async () => {
    // API Gateway caches the first result per token and applies it to later requests.
    const handler = createTestAuthorizer(server, { env: { SCOPE_RULES: RULES } });
    const token = await signAccessToken(server, { scope: 'orders:read' });
    const { result } = await invoke(handler, restTokenEvent(`Bearer ${token}`, methodArn('GET', '/orders/1')));
    const cached = result?.policyDocument;

    expect(evaluatePolicy(cached, methodArn('GET', '/orders/1'))).toBe('Allow');
    expect(evaluatePolicy(cached, methodArn('GET', '/orders/2'))).toBe('Allow');
    expect(evaluatePolicy(cached, methodArn('POST', '/orders'))).toBe('ExplicitDeny');
    expect(evaluatePolicy(cached, methodArn('DELETE', '/admin/users/1'))).toBe('ExplicitDeny');
    expect(evaluatePolicy(cached, methodArn('GET', '/health'))).toBe('Allow');
  });

  it('first route denied, others allowed', async () => {
    const handler = createTestAuthorizer(server, { env: { SCOPE_RULES: RULES } });
    const token = await signAccessToken(server, { scope: 'orders:write' });
    const { result } = await invoke(handler, restTokenEvent(`Bearer ${token}`, methodArn('GET', '/orders/1')));
    const cached = result?.policyDocument;

    expect(evaluatePolicy(cached, methodArn('GET', '/orders/1'))).toBe('ExplicitDeny');
    expect(evaluatePolicy(cached, methodArn('POST', '/orders'))).toBe('Allow');
  });

  it('without rules allows the stage', async () => {
    const handler = createTestAuthorizer(server);
    const token = await signAccessToken(server, { scope: '' });
    const { result } = await invoke(handler, restTokenEvent(`Bearer ${token}`, methodArn('GET', '/orders/1')));
    expect(result?.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${STAGE_PREFIX}*`] }],
    });
  });

  it('HTTP API policy covers later routes', async () => {
    const handler = createTestAuthorizer(server, { env: { SCOPE_RULES: RULES, HTTP_API_SIMPLE_RESPONSES: 'false' } });
    const token = await signAccessToken(server, { scope: 'orders:read admin' });
    const { result } = await invoke(handler, httpApiEvent({ authorization: `Bearer ${token}` }, methodArn('GET', '/orders/1')));
    expect(evaluatePolicy(result?.policyDocument, methodArn('GET', '/admin/x'))).toBe('Allow');
    expect(evaluatePolicy(result?.policyDocument, methodArn('POST', '/orders'))).toBe('ExplicitDeny');
  });

  it('every matching rule must hold', () => {
    const rules = parseScopeRules(JSON.stringify({ 'GET /orders/*': 'orders:read', 'GET /orders/secret/*': 'admin' }));
    const policy = buildPolicy(STAGE_PREFIX, rules, new Set(['admin']));
    // The broader rule is unmet, so its Deny also covers the narrower route the token could otherwise call.
    expect(evaluatePolicy(policy, methodArn('GET', '/orders/secret/1'))).toBe('ExplicitDeny');
  });

  it('parses method and stage from ARNs', () => {
    expect(parseRouteArn(methodArn('GET', '/orders/1'))).toEqual({ stagePrefix: STAGE_PREFIX, route: 'GET/orders/1' });
    expect(parseRouteArn(`${STAGE_PREFIX}GET/`)).toEqual({ stagePrefix: STAGE_PREFIX, route: 'GET/' });
    expect(parseRouteArn('arn:aws:execute-api:eu-west-1:1:api/$default/$default')?.route).toBe('$default');
    expect(parseRouteArn('arn:aws:execute-api:eu-west-1:1:api/prod')).toBeUndefined();
  });
});
