import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createLocalContext } from '../../local/proxy-event.js';
import type { ProxyHandler } from '../../src/http/create-handler.js';
import type { HttpResponse } from '../../src/http/responses.js';

/** Builds the REST API proxy event API Gateway sends for a POST to `path`. */
export function postEvent(
  path: string,
  body: string | null,
  headers: Record<string, string>,
  isBase64Encoded = false,
): APIGatewayProxyEvent {
  return {
    body,
    isBase64Encoded,
    headers,
    multiValueHeaders: {},
    httpMethod: 'POST',
    path,
    resource: path,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'test-request' } as APIGatewayProxyEvent['requestContext'],
  };
}

/** Invokes a handler with a form-encoded POST, as API Gateway would. */
export function postFormTo(
  handler: ProxyHandler,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  const event = postEvent(path, new URLSearchParams(form).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', ...headers });
  return handler(event, createLocalContext('test', 'test-request'));
}
