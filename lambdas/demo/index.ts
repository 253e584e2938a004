/**
 * Demo function behind the authorizer (`GET /demo/me`, `GET /demo/admin`, and `GET /demo/jwt`
 * on the example HTTP API): returns the caller's `sub`, `client_id` and `scope` from the
 * authorizer context.
 *
 * The context sits in a different place for each caller: `requestContext.authorizer` for a
 * REST API proxy event, `requestContext.authorizer.lambda` for an HTTP API (payload format
 * 2.0) with a Lambda authorizer, and `requestContext.authorizer.jwt.claims` with API
 * Gateway's native JWT authorizer.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

type UnknownRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

function readAuthorizerContext(event: unknown): UnknownRecord {
  const requestContext = isRecord(event) ? event.requestContext : undefined;
  const authorizer = isRecord(requestContext) ? requestContext.authorizer : undefined;
  if (!isRecord(authorizer)) return {};
  if (isRecord(authorizer.lambda)) return authorizer.lambda;
  if (isRecord(authorizer.jwt) && isRecord(authorizer.jwt.claims)) return authorizer.jwt.claims;
  return authorizer;
}

export async function handler(event: unknown): Promise<APIGatewayProxyResult> {
  const context = readAuthorizerContext(event);
  const read = (name: string): string | null => (typeof context[name] === 'string' ? context[name] : null);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify({ sub: read('sub'), client_id: read('client_id'), scope: read('scope') }),
  };
}
