import type { APIGatewayProxyResult } from 'aws-lambda';
import type { OAuthError } from '../oauth/errors.js';

export type HttpResponse = APIGatewayProxyResult & { headers: Record<string, string> };

const JSON_TYPE = 'application/json; charset=utf-8';

/** Headers of every response that carries tokens or token metadata (RFC 6749 section 5.1). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** RFC 6749 section 5.2 error response; `invalid_client` carries a Basic challenge, which section 5.2 requires with a 401. */
export function oauthErrorResponse(error: OAuthError): HttpResponse {
  const headers: Record<string, string> = { ...NO_STORE_HEADERS };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="oauth2", charset="UTF-8"';
  if (error.status === 503) headers['Retry-After'] = '1';
  return jsonResponse(error.status, error.toJSON(), headers);
}
