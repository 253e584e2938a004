import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LocalServer } from '../local/app.js';
import { createLocalContext } from '../local/proxy-event.js';
import { createTokenHandler } from '../src/runtime/handlers.js';
import { ClientRepository } from '../src/store/client-repository.js';
import { basicAuth, createTestClient, startTestServer, type TestClient } from './support/local-server.js';

/** Invokes the token Lambda handler with hand-built API Gateway events, as the deployed REST API would. */
describe('token handler events', () => {
  let server: LocalServer;
  let client: TestClient;
  let handler: ReturnType<typeof createTokenHandler>;

  beforeAll(async () => {
    server = await startTestServer();
    client = await createTestClient(server, { clientId: 'event-client' });
    handler = createTokenHandler(server.deps);
  });

  afterAll(async () => {
    await server.close();
  });

  function event(body: string | null, isBase64Encoded: boolean, headers: Record<string, string>): APIGatewayProxyEvent {
    return {
      body,
      isBase64Encoded,
      headers,
      multiValueHeaders: {},
      httpMethod: 'POST',
      path: '/oauth2/token',
      resource: '/oauth2/token',
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      stageVariables: null,
      requestContext: { requestId: 'test-request' } as APIGatewayProxyEvent['requestContext'],
    };
  }

  const invoke = (body: string | null, isBase64Encoded: boolean, headers: Record<string, string>) =>
    handler(event(body, isBase64Encoded, headers), createLocalContext('token', 'test-request'));

  it('decodes a base64-encoded body', async () => {
    const body = Buffer.from('grant_type=client_credentials&scope=read').toString('base64');

    const response = await invoke(body, true, {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: basicAuth(client.clientId, client.clientSecret!),
    });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ token_type: 'Bearer', scope: 'read' });
  });

  it('reads headers in any case', async () => {
    const response = await invoke('grant_type=client_credentials', false, {
      'CONTENT-TYPE': 'application/x-www-form-urlencoded',
      AUTHORIZATION: basicAuth(client.clientId, client.clientSecret!),
    });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['invalid base64', '@@@not-base64@@@', true],
    ['base64 of non-UTF-8 bytes', Buffer.from([0xc3, 0x28]).toString('base64'), true],
    ['a null body', null, false],
  ])('rejects %s with invalid_request', async (_name, body, isBase64Encoded) => {
    const response = await invoke(body, isBase64Encoded, {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(client.clientId, client.clientSecret!),
    });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers server_error without detail when the store fails', async () => {
    // A handler whose table does not exist makes the store fail for real.
    const broken = createTokenHandler({ ...server.deps, clients: new ClientRepository(server.deps.db, 'no-such-table', 0) });

    const response = await broken(event('grant_type=client_credentials', false, {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(client.clientId, client.clientSecret!),
    }), createLocalContext('token', 'test-request'));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: 'server_error', error_description: 'the server encountered an unexpected error' });
    expect(response.headers['Cache-Control']).toBe('no-store');
  });
});
