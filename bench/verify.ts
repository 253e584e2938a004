/**
 * Verify path: the authorizer's token verification against raw `crypto.verify` of the same
 * RS256 signature, aws-jwt-verify and jose `jwtVerify`, interleaved in this process.
 */
import { verify as cryptoVerify } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import { jwtVerify, type JWK, type JWTPayload } from 'jose';
import { checkTokenTimes, REQUIRED_CLAIMS, toAccessTokenClaims, type AccessTokenClaims } from '../src/authorizer/claims.js';
import { loadAuthorizerConfig } from '../src/authorizer/config.js';
import { KeyRing } from '../src/authorizer/key-ring.js';
import { createAuthorizerFromEnv } from '../src/authorizer/runtime.js';
import { StoreVerificationKeys } from '../src/authorizer/store-verification-keys.js';
import { TokenRejectedError } from '../src/authorizer/rejection.js';
import { checkTokenFormat } from '../src/authorizer/token-format.js';
import { AccessTokenVerifier } from '../src/authorizer/verify-token.js';
import type { SigningAlgorithm } from '../src/config/config.js';
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
      {
        name: 'sketch: every check, crypto.verify in place of jose',
        run: () => verifyWithCryptoVerify(token, keyRing, { issuer: config.issuer, audiences: config.audiences, algorithms: config.algorithms, clockToleranceSeconds: config.clockToleranceSeconds }),
      },
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
        ...(result.name === 'authorizer verify, cache warm'
          ? { target: `>= ${TARGET_RATIO} of raw`, met: result.ratio >= TARGET_RATIO }
          : {}),
      })),
      notes: [
        `${options.rounds} interleaved rounds of ${options.turnMs} ms per contender; ops/s and ratio are medians over rounds.`,
        'The cache-warm row is the verification the handler runs: a hit skips only the checks that cannot change for the same token string and key (format, header, signature, iss, aud, claim types); it still confirms the key under that kid is current and checks exp, nbf and iat.',
        'The every-check row turns the verified-token cache off, so each call runs format and header checks, kid lookup, algorithm pinning, jose jwtVerify and the claim checks.',
        'The sketch row is not production code: it runs the authorizer\'s own format, key, claim and time checks around a synchronous crypto.verify, to size what replacing jose on a cache miss would gain.',
      ],
    };
  } finally {
    await store.close();
  }
}

interface SketchOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly SigningAlgorithm[];
  readonly clockToleranceSeconds: number;
}

/**
 * Runs the authorizer's cache-miss checks with `crypto.verify` doing the signature check:
 * format and header (alg pinning, typ, kid), key by kid with its own algorithm, signature,
 * claim types, iss, aud, then exp, nbf and iat. RS256 only, which is all this benchmark signs.
 */
async function verifyWithCryptoVerify(token: string, keyRing: KeyRing, options: SketchOptions): Promise<AccessTokenClaims> {
  const header = checkTokenFormat(token, options.algorithms);
  const key = await keyRing.find(header.kid);
  if (key === undefined) throw new TokenRejectedError('unknown_kid');
  if (key.alg !== header.alg || key.alg !== 'RS256') throw new TokenRejectedError('algorithm_not_allowed');

  const payloadStart = token.indexOf('.') + 1;
  const signatureStart = token.lastIndexOf('.');
  const signingInput = Buffer.from(token.slice(0, signatureStart), 'ascii');
  const signature = Buffer.from(token.slice(signatureStart + 1), 'base64url');
  if (!cryptoVerify('sha256', signingInput, key.publicKey, signature)) throw new TokenRejectedError('invalid_signature');

  const payload: unknown = JSON.parse(Buffer.from(token.slice(payloadStart, signatureStart), 'base64url').toString('utf8'));
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new TokenRejectedError('malformed_token');
  for (const claim of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(payload, claim)) throw new TokenRejectedError('invalid_claims');
  }
  const claims = toAccessTokenClaims(payload as JWTPayload);
  if (claims.iss !== options.issuer) throw new TokenRejectedError('invalid_issuer');
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!audiences.some((audience) => options.audiences.includes(audience))) throw new TokenRejectedError('invalid_audience');
  checkTokenTimes(claims, Math.floor(Date.now() / 1000), options.clockToleranceSeconds);
  return claims;
}
