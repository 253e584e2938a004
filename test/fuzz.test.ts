/**
 * Property-based tests with fast-check: random bodies, encodings, headers and tokens (random
 * strings and one-character mutations of real tokens) at the token, refresh, revocation and
 * introspection handlers and the authorizer, against the real store. No input may cause a
 * 5xx, an escaping exception, an issued token or an active introspection result.
 * `FUZZ_RUNS` sets the cases per handler (default 2000).
 */
import fc from 'fast-check';
import type { LocalServer } from '../local/app.js';
import { createLocalContext } from '../local/proxy-event.js';
import type { ProxyHandler } from '../src/http/create-handler.js';
import type { HttpResponse } from '../src/http/responses.js';
import { createIntrospectHandler, createRefreshHandler, createRevokeHandler, createTokenHandler } from '../src/runtime/handlers.js';
import { createTestAuthorizer, httpApiEvent, invoke, methodArn, restRequestEvent, restTokenEvent } from './support/authorizer-fixtures.js';
import { postEvent } from './support/handler-events.js';
import { basicAuth, createTestClient, startTestServer, type TestClient } from './support/local-server.js';
import { createTestUser, TEST_PASSWORD } from './support/refresh-fixtures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'unsupported_token_type']);
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=%+/ ';

/** Replaces one character of `token` (never the last, whose spare base64url bits may decode to the same bytes). */
function mutate(token: string, position: number, replacement: string): string {
  const index = position % Math.max(1, token.length - 1);
  const original = token[index];
  let char = replacement;
  if (char === original) char = original === 'A' ? 'B' : 'A';
  return `${token.slice(0, index)}${char}${token.slice(index + 1)}`;
}

describe('fuzz', () => {
  let server: LocalServer;
  let app: TestClient;
  let victim: TestClient;
  let refreshToken: string;
  let accessToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    // The fuzzed client cannot use client_credentials, so no random request may legitimately get a token.
    app = await createTestClient(server, { clientId: 'fuzz-app', grantTypes: ['password', 'refresh_token'] });
    victim = await createTestClient(server, { clientId: 'fuzz-victim', grantTypes: ['password', 'refresh_token'] });
    await createTestUser(server, 'fuzz-user');
    const response = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(app.clientId, app.clientSecret!) },
      body: new URLSearchParams({ grant_type: 'password', username: 'fuzz-user', password: TEST_PASSWORD }).toString(),
    });
    const tokens = (await response.json()) as { access_token: string; refresh_token: string };
    refreshToken = tokens.refresh_token;
    accessToken = tokens.access_token;
  });

  afterAll(async () => {
    await server.close();
  });

  const mutatedToken = (): fc.Arbitrary<string> =>
    fc
      .tuple(fc.constantFrom(refreshToken, accessToken), fc.nat(), fc.constantFrom(...TOKEN_ALPHABET))
      .map(([token, position, char]) => mutate(token, position, char));

  const tokenValue = (): fc.Arbitrary<string> =>
    fc.oneof(mutatedToken(), fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(`rt1.${'A'.repeat(22)}.1.${'A'.repeat(43)}`, 'a.b.c', ''));

  const paramValue = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constantFrom('password', 'refresh_token', 'client_credentials', 'authorization_code', 'access_token', 'read', 'read write', 'fuzz-user', app.clientId, victim.clientId, 'wrong'),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      tokenValue(),
    );

  const paramName = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constantFrom('grant_type', 'client_id', 'client_secret', 'username', 'password', 'scope', 'refresh_token', 'token', 'token_type_hint'),
      fc.string({ maxLength: 12 }),
    );

  /** Parameters that mostly name a grant and carry the parameters it reads, so most cases get past the parser. */
  const formPairs = (): fc.Arbitrary<[string, string][]> =>
    fc
      .tuple(
        fc.oneof({ weight: 6, arbitrary: fc.constantFrom('password', 'refresh_token', 'client_credentials') }, { weight: 1, arbitrary: paramValue() }),
        fc.boolean(),
        fc.array(fc.tuple(paramName(), paramValue()), { maxLength: 6 }),
      )
      .map(([grant, withGrant, pairs]) => (withGrant ? [['grant_type', grant] as [string, string], ...pairs] : pairs));

  /** A form body, encoded properly or pasted raw, or any text at all. */
  const bodyText = (): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 6, arbitrary: formPairs().map((pairs) => pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')) },
      { weight: 2, arbitrary: formPairs().map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&')) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    );

  const authorization = (): fc.Arbitrary<string | undefined> =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 5, arbitrary: fc.constant(basicAuth(app.clientId, app.clientSecret!)) },
      { weight: 2, arbitrary: fc.string({ maxLength: 20 }).map((secret) => basicAuth(victim.clientId, secret)) },
      fc.string({ maxLength: 40 }).map((credential) => `Basic ${Buffer.from(credential).toString('base64')}`),
      tokenValue().map((token) => `Bearer ${token}`),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );

  const contentType = (): fc.Arbitrary<string | undefined> =>
    fc.oneof(
      {
        weight: 10,
        arbitrary: fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=UTF-8',
          'APPLICATION/X-WWW-FORM-URLENCODED;charset="utf-8"',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom('application/x-www-form-urlencoded; charset=latin1', 'application/json', 'multipart/form-data; boundary=x') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    );

  interface FuzzEvent {
    readonly body: string | null;
    readonly isBase64Encoded: boolean;
    readonly headers: Record<string, string>;
  }

  const event = (): fc.Arbitrary<FuzzEvent> =>
    fc
      .record({
        text: bodyText(),
        bytes: fc.uint8Array({ maxLength: 200 }),
        encoding: fc.oneof(
          { weight: 8, arbitrary: fc.constant('text') },
          { weight: 2, arbitrary: fc.constant('base64-of-text') },
          { weight: 1, arbitrary: fc.constantFrom('base64-of-bytes', 'bad-base64', 'null') },
        ),
        contentType: contentType(),
        authorization: authorization(),
        extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 2 }),
        upperCaseNames: fc.boolean(),
      })
      .map(({ text, bytes, encoding, contentType: type, authorization: auth, extra, upperCaseNames }) => {
        const headers: Record<string, string> = { ...extra };
        const name = (header: string): string => (upperCaseNames ? header.toUpperCase() : header);
        if (type !== undefined) headers[name('Content-Type')] = type;
        if (auth !== undefined) headers[name('Authorization')] = auth;
        switch (encoding) {
          case 'text':
            return { body: text, isBase64Encoded: false, headers };
          case 'base64-of-text':
            return { body: Buffer.from(text).toString('base64'), isBase64Encoded: true, headers };
          case 'base64-of-bytes':
            return { body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true, headers };
          case 'bad-base64':
            return { body: text, isBase64Encoded: true, headers };
          default:
            return { body: null, isBase64Encoded: false, headers };
        }
      });

  async function run(handler: ProxyHandler, path: string, input: FuzzEvent): Promise<HttpResponse> {
    return handler(postEvent(path, input.body, input.headers, input.isBase64Encoded), createLocalContext('fuzz', 'fuzz-request'));
  }

  /** Checks a rejected request: a 4xx with an RFC 6749 error body and no token in it. */
  function expectRejected(response: HttpResponse): void {
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(OAUTH_ERRORS.has(String(body.error))).toBe(true);
    expect(body.access_token).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
    expect(response.headers['Cache-Control']).toBe('no-store');
  }

  it.each([
    ['token', '/oauth2/token'],
    ['refresh', '/oauth2/refresh'],
  ])('%s handler issues nothing', async (name, path) => {
    const handler = name === 'token' ? createTokenHandler(server.deps) : createRefreshHandler(server.deps);

    await fc.assert(
      fc.asyncProperty(event(), async (input) => {
        expectRejected(await run(handler, path, input));
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('revoke handler stays 4xx or 200', async () => {
    const handler = createRevokeHandler(server.deps);

    await fc.assert(
      fc.asyncProperty(event(), async (input) => {
        const response = await run(handler, '/oauth2/revoke', input);
        if (response.statusCode === 200) expect(response.body).toBe('');
        else expectRejected(response);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('introspect handler reports nothing active', async () => {
    const handler = createIntrospectHandler(server.deps);

    await fc.assert(
      fc.asyncProperty(event(), async (input) => {
        const response = await run(handler, '/oauth2/introspect', input);
        if (response.statusCode === 200) expect(JSON.parse(response.body)).toEqual({ active: false });
        else expectRejected(response);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('authorizer never allows', async () => {
    const authorizer = createTestAuthorizer(server);
    const header = fc.oneof(tokenValue().map((token) => `Bearer ${token}`), fc.string({ unit: 'binary', maxLength: 60 }), tokenValue());
    const authorizerEvent = fc.oneof(
      header.map((value) => restTokenEvent(value)),
      fc.record({ value: header, name: fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION') }).map(({ value, name }) => restRequestEvent({ [name]: value })),
      header.map((value) => httpApiEvent({ authorization: value })),
      header.map((value) => restTokenEvent(value, methodArn('DELETE', '/admin/users/1'))),
      fc.anything(),
    );

    await fc.assert(
      fc.asyncProperty(authorizerEvent, async (input) => {
        const outcome = await invoke(authorizer, input);
        if (outcome.error !== undefined) {
          expect(outcome.error).toBe('Error: Unauthorized');
          return;
        }
        const result = outcome.result ?? {};
        if ('isAuthorized' in result) {
          expect(result.isAuthorized).toBe(false);
        } else {
          const statements = (result.policyDocument as { Statement: { Effect: string }[] } | undefined)?.Statement ?? [];
          expect(statements.every((statement) => statement.Effect === 'Deny')).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
