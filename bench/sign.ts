/**
 * Sign path and peer server: client_credentials over the local server's HTTP (client cache
 * warm) and over oidc-provider, against raw RS256 `crypto.sign` of an equivalent token on
 * one core, in interleaved rounds of one run.
 */
import { randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { JWK } from 'jose';
import type { LocalServer } from '../local/app.js';
import { ENDPOINT_PATHS } from '../src/oauth/discovery.js';
import { importBundledLocalServer } from './lib/bundled-server.js';
import { runLoad, type LoadOptions, type LoadResult } from './lib/load.js';
import type { BenchmarkTable } from './lib/report.js';
import { median, rotate } from './lib/stats.js';
import { loopbackAwsEnv } from './lib/store.js';
import { startPeerProvider, type PeerServer } from './peer-provider.js';

export interface SignBenchOptions {
  readonly rounds: number;
  /** Length of each load run, in seconds. */
  readonly durationSeconds: number;
  readonly connections: number;
}

const SIGN_TARGET = 0.7;
const PEER_TARGET = 1.5;
const SCOPE = 'read write';

/** Calls per second of building and signing one access token with `crypto.sign`, synchronously on this thread. */
function measureRawSign(privateKey: KeyObject, kid: string, issuer: string, durationMs: number): number {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid })).toString('base64url');
  const start = performance.now();
  let now = start;
  let calls = 0;
  while (now - start < durationMs) {
    const iat = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ client_id: 'bench', scope: SCOPE, iss: issuer, sub: 'bench', aud: issuer, jti: randomUUID(), iat, exp: iat + 900 }),
    ).toString('base64url');
    const signingInput = `${header}.${payload}`;
    const token = `${signingInput}.${cryptoSign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
    if (token.length === 0) throw new Error('empty token');
    calls += 1;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function checkedLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await runLoad(options);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`load against ${options.url} had ${result.non2xx} non-2xx responses and ${result.errors} errors`);
  }
  return result;
}

export async function runSignBench(options: SignBenchOptions): Promise<BenchmarkTable[]> {
  const { startLocalServer } = await importBundledLocalServer();
  const server: LocalServer = await startLocalServer({
    ...process.env,
    ...loopbackAwsEnv('', `bench-${randomUUID()}`),
    DYNAMODB_ENDPOINT: '',
    PORT: '0',
    DYNAMODB_PORT: '0',
    LOCAL_DATA_DIR: 'memory',
    ISSUER: '',
  });
  let peer: PeerServer | undefined;
  try {
    const demo = server.demo;
    if (demo === undefined) throw new Error('the local server created no demo client');
    const signingKey = await server.deps.keys.getSigningKey();
    peer = await startPeerProvider(signingKey.privateKey.export({ format: 'jwk' }) as JWK, {
      clientId: demo.clientId,
      clientSecret: demo.clientSecret,
    });

    const load = (url: string, durationSeconds: number): LoadOptions => ({
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(demo.clientId, demo.clientSecret) },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(SCOPE)}`,
      connections: options.connections,
      durationSeconds,
    });
    const oursUrl = `${server.url}${ENDPOINT_PATHS.token}`;
    const peerUrl = peer.tokenUrl;

    // Warm-up: JIT, the client cache, and oidc-provider's lazy initialization.
    await checkedLoad(load(oursUrl, 1));
    await checkedLoad(load(peerUrl, 1));
    measureRawSign(signingKey.privateKey, signingKey.kid, server.config.issuer, 500);

    type Turn = 'raw' | 'ours' | 'peer';
    const rates: Record<Turn, number[]> = { raw: [], ours: [], peer: [] };
    const latencies: Record<'ours' | 'peer', number[]> = { ours: [], peer: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      const perTurn: Partial<Record<Turn, number>> = {};
      for (const turn of rotate<Turn>(['raw', 'ours', 'peer'], round)) {
        if (turn === 'raw') {
          perTurn.raw = measureRawSign(signingKey.privateKey, signingKey.kid, server.config.issuer, 1000);
        } else {
          const result = await checkedLoad(load(turn === 'ours' ? oursUrl : peerUrl, options.durationSeconds));
          perTurn[turn] = result.requestsPerSecond;
          latencies[turn].push(result.latencyP50Ms);
        }
      }
      rates.raw.push(perTurn.raw!);
      rates.ours.push(perTurn.ours!);
      rates.peer.push(perTurn.peer!);
    }

    const ratio = (numerator: number[], denominator: number[]): number =>
      median(numerator.map((value, round) => value / denominator[round]!));
    const rawName = 'raw crypto.sign RS256, one core';
    const oursName = 'this server, POST /oauth2/token over HTTP';
    const peerName = 'oidc-provider 9, POST /token over HTTP';
    const method = `autocannon in a child process, ${options.connections} connections, ${options.durationSeconds} s per run, ${options.rounds} interleaved rounds; figures are medians over rounds, and ratios are taken within each round.`;

    const signTable: BenchmarkTable = {
      id: 'sign',
      title: 'Sign path: client_credentials tokens per second',
      rows: [
        { name: rawName, ops_per_s: median(rates.raw), baseline: rawName, ratio: 1 },
        {
          name: oursName,
          ops_per_s: median(rates.ours),
          baseline: rawName,
          ratio: ratio(rates.ours, rates.raw),
          extra: { p50_ms: median(latencies.ours) },
          target: `>= ${SIGN_TARGET} of raw`,
          met: ratio(rates.ours, rates.raw) >= SIGN_TARGET,
        },
      ],
      notes: [
        method,
        'Raw builds the same header and claims, base64url-encodes them and signs synchronously on the main thread; the server row includes HTTP parsing, the middy chain, client authentication (HMAC-SHA-256) and JSON responses.',
        'The local server, its embedded store and the peer run in the benchmark process; autocannon uses the second core. The server code is compiled by esbuild as the Lambda bundles are (bench/lib/bundled-server.ts).',
        'Signatures run on libuv\'s thread pool (crypto.sign with a callback), so signing can use the second core while the event loop serves HTTP; raw signs on the main thread alone.',
      ],
    };
    const peerTable: BenchmarkTable = {
      id: 'peer',
      title: 'Peer server: the same client_credentials load against oidc-provider',
      rows: [
        { name: peerName, ops_per_s: median(rates.peer), baseline: peerName, ratio: 1, extra: { p50_ms: median(latencies.peer) } },
        {
          name: oursName,
          ops_per_s: median(rates.ours),
          baseline: peerName,
          ratio: ratio(rates.ours, rates.peer),
          extra: { p50_ms: median(latencies.ours) },
          target: `>= ${PEER_TARGET}x peer`,
          met: ratio(rates.ours, rates.peer) >= PEER_TARGET,
        },
      ],
      notes: [
        method,
        'oidc-provider signs RS256 JWT access tokens (resource indicators, accessTokenFormat jwt) with the same RSA key, stores nothing for JWT access tokens, and authenticates the same client with client_secret_basic.',
      ],
    };
    return [signTable, peerTable];
  } finally {
    await peer?.close();
    await server.close();
  }
}
