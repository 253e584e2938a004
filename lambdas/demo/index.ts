/**
 * Demo function behind the authorizer (`GET /demo/me`, `GET /demo/admin`): returns the
 * caller's `sub`, `client_id` and `scope` from the authorizer context (REST proxy event).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const context: Record<string, unknown> = event.requestContext.authorizer ?? {};
  const read = (name: string): string | null => (typeof context[name] === 'string' ? context[name] : null);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify({ sub: read('sub'), client_id: read('client_id'), scope: read('scope') }),
  };
}
