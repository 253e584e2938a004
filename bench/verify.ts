/**
 * Verify path: the authorizer's token verification against raw `crypto.verify` of the same
 * RS256 signature, aws-jwt-verify and jose `jwtVerify`, interleaved in this process.
 */
import { verify as cryptoVerify } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import { jwtVerify, type JWK } from 'jose';
import { REQUIRED_CLAIMS } from '../src/authorizer/claims.js';
import { loadAuthorizerConfig } from '../src/authorizer/config.js';
import { KeyRing } from '../src/authorizer/key-ring.js';
import { createAuthorizerFromEnv } from '../src/authorizer/runtime.js';
import { StoreVerificationKeys } from '../src/authorizer/store-verification-keys.js';
import { AccessTokenVerifier } from '../src/authorizer/verify-token.js';
import { issueAccessToken } from '../src/oauth/access-token.js';
import { requestAuthorizerEvent } from './lib/events.js';
import type { BenchmarkTable } from './lib/report.js';
import { startBenchStore } from './lib/store.js';
import { measureThroughput, type Contender } from './lib/throughput.js';

export interface VerifyBenchOptions {
  readonly rounds: number;
  readonly turnMs: number;
}

/** The verify-path target: the authorizer at 0.85 of raw `crypto.verify` or better. */
const TARGET_RATIO = 0.85;

/** Rows held to the target: a token already verified (cache hit) and a token seen for the first time. */
const TARGET_ROWS = new Set(['authorizer verify, cache warm', 'authorizer verify, every check on every call']);

export async function runVerifyBench(options: VerifyBenchOptions): Promise<BenchmarkTable> {
  const store = await startBenchStore();
  try {
    const { deps, env } = store;
    const config = loadAuthorizerConfig(env, deps.config);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const issued = await issueAccessToken(deps.keys, {
      issuer: deps.config.issuer,
      subject: 'bench-client',
      audience: deps.config.defaultAudience,
      clientId: 'bench-client',
      scope: 'read write',
      lifetimeSeconds: deps.config.accessTokenTtlSeconds,
      nowSeconds,
    });
    const token = issued.token;
    const [encodedHeader, encodedPayload, encodedSignature] = token.split('.') as [string, string, string];
    const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    const signature = Buffer.from(encodedSignature, 'base64url');

    // The authorizer reads public keys from the table through its own key source, as deployed locally.
    const keySource = new StoreVerificationKeys(deps.db, { tableName: deps.config.tableName, cacheSeconds: deps.config.keyCacheSeconds });
    const [verificationKey] = await keySource.getVerificationKeys();
    if (verificationKey === undefined) throw new Error('the bench store has no verification key');
    const publicKey = verificationKey.publicKey;

    const verifierOptions = {
      issuer: config.issuer,
      audiences: config.audiences,
      algorithms: config.algorithms,
      clockToleranceSeconds: config.clockToleranceSeconds,
      now: Date.now,
    };
    const keyRing = new KeyRing(keySource, { reloadCooldownMs: config.keyReloadCooldownSeconds * 1000, now: Date.now });
    const cached = new AccessTokenVerifier(keyRing, { ...verifierOptions, cacheSize: config.verifiedTokenCacheSize });
    const uncached = new AccessTokenVerifier(keyRing, { ...verifierOptions, cacheSize: 0 });

    const handler = createAuthorizerFromEnv(env, { db: deps.db, keys: keySource });
    const event = requestAuthorizerEvent(`Bearer ${token}`);

    const awsVerifier = JwtVerifier.create({
      issuer: config.issuer,
      audience: [...config.audiences],
      jwksUri: 'https://auth.bench.invalid/.well-known/jwks.json',
    });
    awsVerifier.cacheJwks({ keys: [verificationKey.jwk as JWK & { kty: 'RSA'; n: string; e: string }] });

    const contenders: Contender[] = [
      { name: 'raw crypto.verify (RS256)', run: () => cryptoVerify('sha256', signingInput, publicKey, signature) },
      { name: 'authorizer verify, cache warm', run: () => cached.verify(token) },
      { name: 'authorizer verify, every check on every call', run: () => uncached.verify(token) },
      { name: 'authorizer handler (REQUEST event), caches warm', run: () => handler(event) },
      { name: 'aws-jwt-verify verifySync', run: () => awsVerifier.verifySync(token) },
      {
        name: 'jose jwtVerify',
        run: () =>
          jwtVerify(token, publicKey, {
            algorithms: ['RS256'],
            issuer: config.issuer,
            audience: [...config.audiences],
            typ: 'at+jwt',
            requiredClaims: REQUIRED_CLAIMS,
          }),
      },
    ];
    const results = await measureThroughput(contenders, { rounds: options.rounds, turnMs: options.turnMs, warmupCalls: 200 });
    const baseline = contenders[0]!.name;

    return {
      id: 'verify',
      title: 'Verify path: one RS256 access token, verified repeatedly',
      rows: results.map((result) => ({
        name: result.name,
        ops_per_s: result.opsPerSecond,
        baseline,
        ratio: result.ratio,
        ...(TARGET_ROWS.has(result.name) ? { target: `>= ${TARGET_RATIO} of raw`, met: result.ratio >= TARGET_RATIO } : {}),
      })),
      notes: [
        `${options.rounds} interleaved rounds of ${options.turnMs} ms per contender; ops/s and ratio are medians over rounds.`,
        'The cache-warm row is the verification the handler runs: a hit skips only the checks that cannot change for the same token string and key (format, header, signature, iss, aud, claim types); it still confirms the key under that kid is current and checks exp, nbf and iat.',
        'The every-check row turns the verified-token cache off, so each call is a token seen for the first time: format and header checks, kid lookup, algorithm pinning, the signature with crypto.verify, iss, aud, claim types and times.',
        'Raw verifies pre-decoded buffers; the authorizer rows also decode the signature and payload, parse the payload JSON and run as an async function, which the harness awaits.',
      ],
    };
  } finally {
    await store.close();
  }
}

