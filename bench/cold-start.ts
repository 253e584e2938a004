/**
 * Cold start: each Lambda function is bundled by esbuild with the options of the CDK stack.
 * A fresh Node.js process then imports the bundle and serves one request against the
 * embedded store, and the time of `node -e 0` in the same round is subtracted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../lib/bundling/esbuild-options.js';
import { hashClientSecret } from '../src/oauth/client-secret.js';
import { ENDPOINT_PATHS } from '../src/oauth/discovery.js';
import { issueAccessToken } from '../src/oauth/access-token.js';
import { buildRefreshToken, newFamilyId, newFamilySeed } from '../src/oauth/refresh-token.js';
import type { Dependencies } from '../src/runtime/dependencies.js';
import { formPost, proxyEvent, requestAuthorizerEvent } from './lib/events.js';
import type { BenchmarkRow, BenchmarkTable } from './lib/report.js';
import { median, rotate } from './lib/stats.js';
import { loopbackAwsEnv, startBenchStore } from './lib/store.js';

export interface ColdStartBenchOptions {
  /** Interleaved rounds; each starts every function and `node -e 0` once. */
  readonly runs: number;
}

/** Bundle-size and start-time targets: the authorizer runs before every protected request. */
const AUTHORIZER_TARGET = { kb: 250, ms: 35 };
const OTHER_TARGET = { kb: 600, ms: 80 };


/**
 * Imports the bundle named by argv[2], invokes its handler once with the event in
 * BENCH_EVENT (unless it is "none"), checks the outcome and exits at once, so keep-alive
 * sockets do not hold the process open.
 */
const RUNNER_SOURCE = `
const { handler } = await import(process.argv[2]);
const event = JSON.parse(process.env.BENCH_EVENT);
if (event !== 'none') {
  const context = {
    callbackWaitsForEmptyEventLoop: false, functionName: 'bench', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench', memoryLimitInMB: '512',
    awsRequestId: 'bench-request', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10000, done() {}, fail() {}, succeed() {},
  };
  const result = await handler(event, context);
  const expected = Number(process.env.BENCH_EXPECTED_STATUS);
  const isObject = typeof result === 'object' && result !== null;
  let status = 'other';
  if (isObject && 'statusCode' in result) status = String(result.statusCode);
  else if (isObject && 'policyDocument' in result) status = 'policy';
  const ok = expected === 0 ? status === 'policy' : status === String(expected);
  if (!ok) {
    console.error('BENCH_FAILED unexpected result ' + String(status) + ' ' + String(result?.body).slice(0, 300));
    process.exit(1);
  }
}
console.log('BENCH_MAX_RSS_KB ' + process.resourceUsage().maxRSS);
process.exit(0);
`;

interface FunctionCase {
  readonly name: string;
  /** Entry file; defaults to `lambdas/<name>/index.ts`. */
  readonly entry?: string;
  /** A reference handler, not a function of the stack: it has no target. */
  readonly reference?: boolean;
  readonly authorizer: boolean;
  /** One event per run: refresh tokens rotate, so each run presents its own. `none` only imports the bundle. */
  readonly events: (runs: number) => Promise<unknown[]>;
  /** Expected `statusCode`; 0 means an authorizer policy. */
  readonly expectedStatus: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly note?: string;
}

const CLIENT_ID = 'cold-start-client';
const CLIENT_SECRET = 'cold-start-client-secret-0123456789';

/**
 * Bundles `entry` as the stack does. `withAliases: false` keeps the SDK's default credential
 * chain, for the naive handler, which stands for a function bundled without our trims.
 */
async function bundle(entry: string, outfile: string, withAliases = true): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    ...BUNDLE_OPTIONS,
    alias: withAliases ? BUNDLE_OPTIONS.alias : {},
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

interface ProcessRun {
  readonly ms: number;
  /** Peak resident set size the runner reported, in MiB; 0 for `node -e 0`. */
  readonly maxRssMiB: number;
}

function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    execFile(process.execPath, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const elapsed = performance.now() - start;
      if (error) {
        reject(new Error(`node ${args.join(' ')} exited with ${String(error.code)}: ${stderr.slice(-800)}`));
        return;
      }
      const rss = /BENCH_MAX_RSS_KB (\d+)/.exec(stdout);
      resolve({ ms: elapsed, maxRssMiB: rss === null ? 0 : Number(rss[1]) / 1024 });
    });
  });
}

async function newRefreshToken(deps: Dependencies, sub: string): Promise<string> {
  const refreshKey = await deps.refreshKeys.getRefreshTokenKey();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const familyId = newFamilyId();
  const seed = newFamilySeed();
  await deps.families.create({
    familyId,
    clientId: CLIENT_ID,
    sub,
    username: sub,
    scope: 'read',
    audience: deps.config.defaultAudience,
    generation: 1,
    seed,
    createdAt: nowSeconds,
    lastUsedAt: nowSeconds,
    expiresAt: nowSeconds + deps.config.refreshTokenTtlSeconds,
  });
  return buildRefreshToken(refreshKey, familyId, 1, seed);
}

export async function runColdStartBench(options: ColdStartBenchOptions): Promise<BenchmarkTable> {
  const store = await startBenchStore();
  const workDir = mkdtempSync(join(tmpdir(), 'auth-bench-cold-'));
  try {
    const { deps } = store;
    const nowSeconds = Math.floor(Date.now() / 1000);
    await deps.clients.create({
      clientId: CLIENT_ID,
      secretHash: hashClientSecret(CLIENT_SECRET),
      grantTypes: ['client_credentials', 'refresh_token'],
      scopes: ['read'],
      createdAt: nowSeconds,
    });
    const sub = 'cold-start-user';
    // A refresh family with no user record would fail the user check, so the user exists.
    await deps.users.create({ username: sub, sub, passwordHash: '$invalid', disabled: false, createdAt: nowSeconds });
    const newAccessToken = async (): Promise<string> =>
      (
        await issueAccessToken(deps.keys, {
          issuer: deps.config.issuer,
          subject: CLIENT_ID,
          audience: deps.config.defaultAudience,
          clientId: CLIENT_ID,
          scope: 'read',
          lifetimeSeconds: deps.config.accessTokenTtlSeconds,
          nowSeconds,
        })
      ).token;
    const accessToken = await newAccessToken();
    // Revocation deny-lists the token it is given, so the revoke runs use a token the authorizer is never given.
    const revokedAccessToken = await newAccessToken();
    const same = (event: unknown) => async (runs: number) => Array.from({ length: runs }, () => event);

    const cases: FunctionCase[] = [
      { name: 'authorizer', authorizer: true, expectedStatus: 0, events: same(requestAuthorizerEvent(`Bearer ${accessToken}`)) },
      {
        name: 'token',
        authorizer: false,
        expectedStatus: 200,
        events: same(formPost(ENDPOINT_PATHS.token, CLIENT_ID, CLIENT_SECRET, { grant_type: 'client_credentials' })),
      },
      {
        name: 'refresh',
        authorizer: false,
        expectedStatus: 200,
        events: async (runs) => {
          const events: unknown[] = [];
          for (let run = 0; run < runs; run += 1) {
            events.push(formPost(ENDPOINT_PATHS.refresh, CLIENT_ID, CLIENT_SECRET, { refresh_token: await newRefreshToken(deps, sub) }));
          }
          return events;
        },
      },
      { name: 'revoke', authorizer: false, expectedStatus: 200, events: same(formPost(ENDPOINT_PATHS.revocation, CLIENT_ID, CLIENT_SECRET, { token: revokedAccessToken })) },
      { name: 'introspect', authorizer: false, expectedStatus: 200, events: same(formPost(ENDPOINT_PATHS.introspection, CLIENT_ID, CLIENT_SECRET, { token: accessToken })) },
      { name: 'well-known', authorizer: false, expectedStatus: 200, events: same(proxyEvent('GET', ENDPOINT_PATHS.jwks, {}, null)) },
      {
        name: 'demo',
        authorizer: false,
        expectedStatus: 200,
        events: same({ ...proxyEvent('GET', '/demo/me', {}, null), requestContext: { authorizer: { sub, client_id: CLIENT_ID, scope: 'read' } } }),
      },
      {
        name: 'reference: naive handler',
        entry: join('bench', 'fixtures', 'naive-handler.ts'),
        reference: true,
        authorizer: false,
        expectedStatus: 200,
        events: same(proxyEvent('GET', '/naive', {}, null)),
      },
      {
        name: 'key-rotation',
        authorizer: false,
        expectedStatus: 0,
        events: same('none'),
        // The rotation function needs Secrets Manager for any request, so only its import is timed.
        env: { SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench-signing-key' },
        note: 'import only',
      },
    ];
    const entryFile = (entry: FunctionCase): string => entry.entry ?? join('lambdas', entry.name, 'index.ts');
    const present = cases.filter((entry) => existsSync(entryFile(entry)));
    const missing = readdirSync('lambdas').filter((name) => !cases.some((entry) => entry.name === name && entry.entry === undefined));
    if (missing.length > 0) throw new Error(`no cold-start case for lambdas/${missing.join(', lambdas/')}; add one to bench/cold-start.ts`);

    const runnerPath = join(workDir, 'runner.mjs');
    writeFileSync(runnerPath, RUNNER_SOURCE);
    const sizes = new Map<string, number>();
    const events = new Map<string, unknown[]>();
    for (const entry of present) {
      sizes.set(entry.name, await bundle(entryFile(entry), join(workDir, `${present.indexOf(entry)}`, 'index.mjs'), entry.reference !== true));
      events.set(entry.name, await entry.events(options.runs + 1));
    }

    // A fresh environment: no NODE_OPTIONS from tsx, and every AWS endpoint on loopback.
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...loopbackAwsEnv(store.endpoint, deps.config.tableName),
      // Any service without an explicit endpoint (Secrets Manager in the rotation function) gets a closed loopback port.
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      ISSUER: deps.config.issuer,
    };
    const runCase = (entry: FunctionCase, run: number): Promise<ProcessRun> =>
      timeProcess([runnerPath, join(workDir, `${present.indexOf(entry)}`, 'index.mjs')], {
        ...baseEnv,
        ...entry.env,
        AWS_LAMBDA_FUNCTION_NAME: entry.name,
        BENCH_EVENT: JSON.stringify(events.get(entry.name)![run]),
        BENCH_EXPECTED_STATUS: String(entry.expectedStatus),
      });

    // One untimed round fills the OS file cache.
    for (const entry of present) await runCase(entry, options.runs);
    await timeProcess(['-e', '0'], baseEnv);

    const deltas = new Map<string, number[]>(present.map((entry) => [entry.name, []]));
    const peakRss = new Map<string, number[]>(present.map((entry) => [entry.name, []]));
    const baselineTimes: number[] = [];
    const contenders = ['node -e 0', ...present.map((entry) => entry.name)];
    for (let run = 0; run < options.runs; run += 1) {
      const times = new Map<string, ProcessRun>();
      for (const name of rotate(contenders, run)) {
        const entry = present.find((candidate) => candidate.name === name);
        times.set(name, entry === undefined ? await timeProcess(['-e', '0'], baseEnv) : await runCase(entry, run));
      }
      const baseline = times.get('node -e 0')!.ms;
      baselineTimes.push(baseline);
      for (const entry of present) {
        deltas.get(entry.name)!.push(times.get(entry.name)!.ms - baseline);
        peakRss.get(entry.name)!.push(times.get(entry.name)!.maxRssMiB);
      }
    }

    const baselineMs = median(baselineTimes);
    const naive = present.find((entry) => entry.reference === true);
    const naiveMs = naive === undefined ? undefined : median(deltas.get(naive.name)!);
    const rows: BenchmarkRow[] = present.map((entry) => {
      const kb = sizes.get(entry.name)! / 1024;
      const ms = median(deltas.get(entry.name)!);
      const target = entry.authorizer ? AUTHORIZER_TARGET : OTHER_TARGET;
      return {
        name: entry.note === undefined ? entry.name : `${entry.name} (${entry.note})`,
        ms,
        baseline: 'node -e 0',
        ratio: (baselineMs + ms) / baselineMs,
        extra: { bundle_kb: kb, max_rss_mib: median(peakRss.get(entry.name)!), ...(naiveMs === undefined ? {} : { vs_naive: ms / naiveMs }) },
        ...(entry.reference === true ? {} : { target: `<= ${target.kb} KB, <= +${target.ms} ms`, met: kb <= target.kb && ms <= target.ms }),
      };
    });
    return {
      id: 'cold-start',
      title: 'Cold start: bundle size and start-to-first-response time',
      rows,
      notes: [
        `ms is the median over ${options.runs} interleaved rounds of (node runner.mjs bundle) minus (node -e 0) in the same round; node -e 0 took a median ${baselineMs.toFixed(1)} ms, and ratio is the whole process time over that.`,
        'Bundles are ES modules built by esbuild with the options the stack uses (lib/bundling/esbuild-options.ts: platform node, target node22, minified, createRequire banner, AWS SDK bundled, the default credential chain aliased to the environment-variable provider); bundle_kb excludes the separate source map.',
        'Each run imports the bundle and serves one request against the embedded store on loopback: the first DynamoDB calls (client, keys) are part of the time, the network latency of a real region is not.',
        'max_rss_mib is the peak resident memory of the Node.js process after its one request, the floor for the function\'s memory setting.',
        'The naive handler (bench/fixtures/naive-handler.ts) imports the DynamoDB document client, jose, middy and Powertools Logger and serves one read and one signature; it is bundled without the credentials alias, and vs_naive divides each time by its time in this run.',
        `Measured with ${process.version}; Lambda runs Node.js 22 on arm64.`,
      ],
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    await store.close();
  }
}
