import { handler } from '../lambdas/demo/index.js';

const caller = { sub: 'user-1', client_id: 'app', scope: 'read admin' };

describe('demo function', () => {
  it.each([
    ['REST proxy event', { requestContext: { authorizer: { ...caller, principalId: 'user-1', jti: 'j' } } }],
    ['HTTP API Lambda authorizer', { version: '2.0', requestContext: { authorizer: { lambda: { ...caller, jti: 'j' } } } }],
    ['HTTP API JWT authorizer', { version: '2.0', requestContext: { authorizer: { jwt: { claims: { ...caller, iss: 'x' }, scopes: null } } } }],
  ])('reads the caller from a %s', async (_name, event) => {
    const response = await handler(event);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual(caller);
  });

  it('returns nulls without an authorizer context', async () => {
    const response = await handler({ requestContext: {} });
    expect(JSON.parse(response.body)).toEqual({ sub: null, client_id: null, scope: null });
  });
});
