/**
 * Round trips: DynamoDB calls per request for each endpoint and grant, counted by a
 * middleware this benchmark adds to the document client. Production code is not changed.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLocalContext } from '../local/proxy-event.js';
import { createAuthorizerFromEnv } from '../src/authorizer/runtime.js';
import type { HttpResponse } from '../src/http/responses.js';
import { hashClientSecret } from '../src/oauth/client-secret.js';
import { ENDPOINT_PATHS } from '../src/oauth/discovery.js';
import { hashPassword } from '../src/oauth/password-hash.js';
import { buildRefreshToken, newFamilyId, newFamilySeed } from '../src/oauth/refresh-token.js';
import type { Dependencies } from '../src/runtime/dependencies.js';
import {
  createIntrospectHandler,
  createRefreshHandler,
  createRevokeHandler,
  createTokenHandler,
  createWellKnownHandler,
} from '../src/runtime/handlers.js';
import { ClientRepository } from '../src/store/client-repository.js';
import { formPost, proxyEvent, requestAuthorizerEvent } from './lib/events.js';
import type { BenchmarkRow, BenchmarkTable } from './lib/report.js';
import { median } from './lib/stats.js';
import { startBenchStore } from './lib/store.js';

export interface RoundTripBenchOptions {
  /** Requests measured per scenario (fewer for the password grant, which hashes with scrypt). */
  readonly samples: number;
}

/** DynamoDB operations seen by the document client, by command name. */
class CallCounter {
  private calls: string[] = [];

  attach(db: DynamoDBDocumentClient): void {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        this.calls.push(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: `benchCallCounter-${randomUUID()}` },
    );
  }

  take(): string[] {
    const taken = this.calls;
    this.calls = [];
    return taken;
  }
}

interface Scenario {
  readonly name: string;
  /** Maximum calls per request the target allows; undefined when there is no target. */
  readonly target?: number;
  readonly samples: number;
  /** Work before each measured request (issuing a token to present, for example); its calls are not counted. */
  readonly prepare: () => Promise<() => Promise<unknown>>;
  /** Calls one untimed request first, so caches are warm. */
  readonly warm: boolean;
}

const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = 'bench-client-secret-0123456789abcdef';
const USERNAME = 'bench-user';
const PASSWORD = 'bench-password-0123456789';
const SCOPE = 'read write';

function expectStatus(response: HttpResponse, status: number, what: string): HttpResponse {
  if (response.statusCode !== status) throw new Error(`${what} returned ${response.statusCode} instead of ${status}: ${response.body}`);
  return response;
}

export async function runRoundTripBench(options: RoundTripBenchOptions): Promise<BenchmarkTable> {
  const store = await startBenchStore();
  try {
    const { deps, env } = store;
    const counter = new CallCounter();
    counter.attach(deps.db);
    // The same dependencies with the client cache off: the cold-cache case.
    const coldDeps: Dependencies = { ...deps, clients: new ClientRepository(deps.db, deps.config.tableName, 0) };
    await seed(deps);

    const context = createLocalContext('bench', 'bench-request');
    const token = createTokenHandler(deps);
    const tokenColdClient = createTokenHandler(coldDeps);
    const refresh = createRefreshHandler(deps);
    const revoke = createRevokeHandler(deps);
    const introspect = createIntrospectHandler(deps);
    const wellKnown = createWellKnownHandler(deps);
    const authorizer = createAuthorizerFromEnv(env, { db: deps.db });

    const clientCredentials = formPost(ENDPOINT_PATHS.token, CLIENT_ID, CLIENT_SECRET, { grant_type: 'client_credentials', scope: SCOPE });
    const issueAccessToken = async (): Promise<string> =>
      JSON.parse(expectStatus(await token(clientCredentials, context), 200, 'client_credentials').body).access_token as string;
    const newRefreshToken = async (): Promise<string> => {
      const refreshKey = await deps.refreshKeys.getRefreshTokenKey();
      const nowSeconds = Math.floor(Date.now() / 1000);
      const user = await deps.users.find(USERNAME);
      const familyId = newFamilyId();
      const seedValue = newFamilySeed();
      await deps.families.create({
        familyId,
        clientId: CLIENT_ID,
        sub: user!.sub,
        username: USERNAME,
        scope: SCOPE,
        audience: deps.config.defaultAudience,
        generation: 1,
        seed: seedValue,
        createdAt: nowSeconds,
        lastUsedAt: nowSeconds,
        expiresAt: nowSeconds + deps.config.refreshTokenTtlSeconds,
      });
      return buildRefreshToken(refreshKey, familyId, 1, seedValue);
    };
    const call = (handler: typeof token, event: ReturnType<typeof formPost>, what: string) => async () =>
      expectStatus(await handler(event, context), 200, what);

    const scenarios: Scenario[] = [
      { name: 'client_credentials, client cache warm', target: 0, samples: options.samples, warm: true, prepare: async () => call(token, clientCredentials, 'client_credentials') },
      { name: 'client_credentials, client cache off', samples: options.samples, warm: true, prepare: async () => call(tokenColdClient, clientCredentials, 'client_credentials') },
      {
        name: 'password grant',
        target: 3,
        samples: Math.min(options.samples, 5),
        warm: true,
        prepare: async () =>
          call(token, formPost(ENDPOINT_PATHS.token, CLIENT_ID, CLIENT_SECRET, { grant_type: 'password', username: USERNAME, password: PASSWORD, scope: SCOPE }), 'password grant'),
      },
      {
        name: 'refresh grant (POST /oauth2/refresh)',
        target: 1,
        samples: options.samples,
        warm: true,
        prepare: async () => {
          const refreshToken = await newRefreshToken();
          return call(refresh, formPost(ENDPOINT_PATHS.refresh, CLIENT_ID, CLIENT_SECRET, { refresh_token: refreshToken }), 'refresh');
        },
      },
      {
        name: 'revoke a refresh token',
        target: 2,
        samples: options.samples,
        warm: true,
        prepare: async () => {
          const refreshToken = await newRefreshToken();
          return call(revoke, formPost(ENDPOINT_PATHS.revocation, CLIENT_ID, CLIENT_SECRET, { token: refreshToken, token_type_hint: 'refresh_token' }), 'revoke');
        },
      },
      {
        name: 'revoke an access token',
        target: 2,
        samples: options.samples,
        warm: true,
        prepare: async () => {
          const accessToken = await issueAccessToken();
          return call(revoke, formPost(ENDPOINT_PATHS.revocation, CLIENT_ID, CLIENT_SECRET, { token: accessToken, token_type_hint: 'access_token' }), 'revoke');
        },
      },
      {
        name: 'introspect an access token',
        samples: options.samples,
        warm: true,
        prepare: async () => {
          const accessToken = await issueAccessToken();
          return call(introspect, formPost(ENDPOINT_PATHS.introspection, CLIENT_ID, CLIENT_SECRET, { token: accessToken }), 'introspect');
        },
      },
      {
        name: 'authorizer, deny-list cache warm',
        target: 0,
        samples: options.samples,
        warm: true,
        prepare: async () => {
          const event = requestAuthorizerEvent(`Bearer ${await issueAccessToken()}`);
          await authorizer(event);
          return () => authorizer(event);
        },
      },
      {
        name: 'authorizer, token not seen before',
        target: 1,
        samples: options.samples,
        warm: true,
        prepare: async () => {
          const event = requestAuthorizerEvent(`Bearer ${await issueAccessToken()}`);
          return () => authorizer(event);
        },
      },
      {
        name: 'JWKS (GET /.well-known/jwks.json)',
        samples: options.samples,
        warm: true,
        prepare: async () => async () => expectStatus(await wellKnown(proxyEvent('GET', ENDPOINT_PATHS.jwks, {}, null), context), 200, 'jwks'),
      },
    ];

    const rows: BenchmarkRow[] = [];
    let baselineMs: number | undefined;
    for (const scenario of scenarios) {
      if (scenario.warm) await (await scenario.prepare())();
      const calls: number[] = [];
      const durations: number[] = [];
      let operations: string[] = [];
      for (let sample = 0; sample < scenario.samples; sample += 1) {
        const request = await scenario.prepare();
        counter.take();
        const start = performance.now();
        await request();
        durations.push(performance.now() - start);
        operations = counter.take();
        calls.push(operations.length);
      }
      const ms = median(durations);
      baselineMs ??= ms;
      const perRequest = Math.max(...calls);
      rows.push({
        name: scenario.name,
        ms,
        baseline: scenarios[0]!.name,
        ratio: ms / baselineMs,
        extra: { dynamodb_calls: perRequest, operations: operations.length === 0 ? '-' : operations.join(' + ') },
        ...(scenario.target === undefined ? {} : { target: `<= ${scenario.target} calls`, met: perRequest <= scenario.target }),
      });
    }

    return {
      id: 'round-trips',
      title: 'Round trips: DynamoDB calls per request',
      rows,
      notes: [
        'Calls are counted by a middleware added to the document client in this benchmark; dynamodb_calls is the maximum over the measured requests, and operations lists those of the last one.',
        'ms is the median handler time in this process against the embedded store on loopback, so it shows relative cost only; a real DynamoDB call adds a few milliseconds each.',
        `Signing and verification keys, and the refresh-token key, are warm in every row (cache lifetime KEY_CACHE_SECONDS, default 300 s); the password grant hashes with the configured scrypt parameters (N=${deps.config.scrypt.n}).`,
      ],
    };
  } finally {
    await store.close();
  }
}

async function seed(deps: Dependencies): Promise<void> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  await deps.clients.create({
    clientId: CLIENT_ID,
    secretHash: hashClientSecret(CLIENT_SECRET),
    grantTypes: ['client_credentials', 'password', 'refresh_token'],
    scopes: SCOPE.split(' '),
    createdAt: nowSeconds,
  });
  await deps.users.create({
    username: USERNAME,
    sub: randomUUID(),
    passwordHash: await hashPassword(PASSWORD, deps.config.scrypt),
    disabled: false,
    createdAt: nowSeconds,
  });
  await deps.refreshKeys.getRefreshTokenKey();
}
