import { randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { LocalServer } from '../../local/app.js';
import type { AuthorizerHandler } from '../../src/authorizer/handler.js';
import type { DenyListReader } from '../../src/authorizer/revocation.js';
import { createAuthorizerFromEnv } from '../../src/authorizer/runtime.js';
import type { SigningKey } from '../../src/keys/key-provider.js';

/** Route ARNs of a made-up REST API `abc123`, stage `prod`. */
export const STAGE_PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/';
export const methodArn = (method: string, path: string): string => `${STAGE_PREFIX}${method}${path}`;

export interface AuthorizerOptions {
  readonly env?: Record<string, string>;
  readonly now?: () => number;
  readonly denyList?: DenyListReader;
}

/**
 * Builds the real authorizer handler against a running local server's table: it reads the
 * public keys the server signs with and the server's deny-list.
 */
export function createTestAuthorizer(server: LocalServer, options: AuthorizerOptions = {}): AuthorizerHandler {
  return createAuthorizerFromEnv(
    {
      ...process.env,
      ISSUER: server.config.issuer,
      TABLE_NAME: server.config.tableName,
      DYNAMODB_ENDPOINT: server.dynamoDbEndpoint,
      ...options.env,
    },
    { db: server.deps.db, now: options.now, denyList: options.denyList },
  );
}

/** Claims of a valid access token for `server`; a value of `undefined` in `overrides` removes the claim. */
export function accessTokenClaims(server: LocalServer, overrides: Record<string, unknown> = {}, nowSeconds = Math.floor(Date.now() / 1000)): JWTPayload {
  const claims: Record<string, unknown> = {
    iss: server.config.issuer,
    sub: 'user-1',
    aud: server.config.defaultAudience,
    client_id: 'client-1',
    scope: 'orders:read',
    jti: randomUUID(),
    iat: nowSeconds,
    exp: nowSeconds + 900,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

/** Signs an access token with the server's current key, as the token endpoint does. */
export async function signAccessToken(server: LocalServer, overrides: Record<string, unknown> = {}, nowSeconds?: number): Promise<string> {
  const key = await server.deps.keys.getSigningKey();
  return new SignJWT(accessTokenClaims(server, overrides, nowSeconds))
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid })
    .sign(key.privateKey);
}

export const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * Builds a compact JWS from any header and payload, bypassing jose's own checks, so tests
 * can craft tokens jose would refuse to produce. RS256/PS256/ES256 sign with `key`.
 */
export function signRaw(header: Record<string, unknown>, payload: unknown, key: KeyObject, alg = 'RS256'): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  let signature: Buffer;
  if (alg === 'PS256') signature = cryptoSign('sha256', Buffer.from(input), { key, padding: 6, saltLength: 32 });
  else if (alg === 'ES256') signature = cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else signature = cryptoSign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

export async function currentSigningKey(server: LocalServer): Promise<SigningKey> {
  return server.deps.keys.getSigningKey();
}

export function restTokenEvent(authorization: string | undefined, arn = methodArn('GET', '/orders/1')): Record<string, unknown> {
  return { type: 'TOKEN', methodArn: arn, ...(authorization === undefined ? {} : { authorizationToken: authorization }) };
}

export function restRequestEvent(headers: Record<string, string>, arn = methodArn('GET', '/orders/1')): Record<string, unknown> {
  const [method, ...path] = arn.slice(STAGE_PREFIX.length).split('/');
  return {
    type: 'REQUEST',
    methodArn: arn,
    resource: `/${path.join('/')}`,
    path: `/${path.join('/')}`,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { accountId: '123456789012', apiId: 'abc123', stage: 'prod' },
  };
}

export function httpApiEvent(
  headers: Record<string, string>,
  arn = methodArn('GET', '/orders/1'),
  identitySource?: string[],
): Record<string, unknown> {
  const [method, ...path] = arn.slice(STAGE_PREFIX.length).split('/');
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: arn,
    identitySource: identitySource ?? (lowerCased.authorization === undefined ? [] : [lowerCased.authorization]),
    routeKey: `${method} /${path.join('/')}`,
    rawPath: `/${path.join('/')}`,
    rawQueryString: '',
    headers: lowerCased,
    requestContext: { accountId: '123456789012', apiId: 'abc123', stage: 'prod', http: { method, path: `/${path.join('/')}` } },
  };
}

/** Runs the handler and returns its result, or the message of the error it threw. */
export async function invoke(handler: AuthorizerHandler, event: unknown): Promise<{ result?: Record<string, unknown>; error?: string }> {
  try {
    return { result: (await handler(event)) as unknown as Record<string, unknown> };
  } catch (error) {
    return { error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : `non-error: ${String(error)}` };
  }
}
