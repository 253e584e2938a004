/**
 * The signing-key set kept in the Secrets Manager secret, and the pure steps of its
 * lifecycle: first key, rotation, retirement, and the public keys to publish.
 *
 * Secret content (JSON, version 1):
 *
 * ```json
 * {"version":1,"keys":[{"kid":"…","alg":"RS256","privateJwk":{…},"createdAt":1700000000,"retiredAt":1702592000}]}
 * ```
 *
 * The newest key without `retiredAt` signs. A rotation retires every signing key and adds a
 * new one. A retired key stays in the set, and in the published JWKS, for
 * `retiredKeyLifetimeSeconds`, so every token it signed can still be verified until it expires.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { jwtVerify, SignJWT, type JWK } from 'jose';
import { SUPPORTED_SIGNING_ALGORITHMS, type AuthConfig, type SigningAlgorithm } from '../config/config.js';
import { generateKeyPairForAlgorithm, toPublicJwk, type StoredKeyPair } from './key-material.js';

/** Extra time a retired key stays published beyond the token lifetime and key caches, for clock skew. */
export const CLOCK_SKEW_MARGIN_SECONDS = 300;

export const KEY_SET_VERSION = 1;

/** A key pair in the secret. `retiredAt` (epoch seconds) is set once the key stops signing. */
export interface SigningKeyEntry extends StoredKeyPair {
  readonly retiredAt?: number;
}

export interface SigningKeySet {
  readonly version: typeof KEY_SET_VERSION;
  readonly keys: readonly SigningKeyEntry[];
}

/** A public key as published for verifiers. `publishUntil` (epoch seconds) is set on retired keys. */
export interface PublishedKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly jwk: JWK;
  readonly publishUntil?: number;
}

/** Raised when secret content is not a signing-key set. The message never contains the content. */
export class KeySetFormatError extends Error {
  constructor(problem: string) {
    super(`invalid signing-key set: ${problem}`);
    this.name = 'KeySetFormatError';
  }
}

/**
 * Returns how long a retired key must stay published: a token signed just before the
 * rotation lives `accessTokenTtlSeconds`, a signing function may keep using the old key
 * until its key cache expires (`keyCacheSeconds`), and clocks may differ.
 */
export function retiredKeyLifetimeSeconds(config: Pick<AuthConfig, 'accessTokenTtlSeconds' | 'keyCacheSeconds'>): number {
  return config.accessTokenTtlSeconds + config.keyCacheSeconds + CLOCK_SKEW_MARGIN_SECONDS;
}

/** Parses secret content and checks every field. Throws `KeySetFormatError` on anything else. */
export function parseSigningKeySet(text: string): SigningKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeySetFormatError('not JSON');
  }
  if (!isRecord(parsed)) throw new KeySetFormatError('not a JSON object');
  if (parsed.version !== KEY_SET_VERSION) throw new KeySetFormatError(`unsupported version ${JSON.stringify(parsed.version)}`);
  if (!Array.isArray(parsed.keys)) throw new KeySetFormatError('"keys" is not an array');
  return { version: KEY_SET_VERSION, keys: parsed.keys.map(parseEntry) };
}

function parseEntry(value: unknown, index: number): SigningKeyEntry {
  if (!isRecord(value)) throw new KeySetFormatError(`key ${index} is not an object`);
  const { kid, alg, privateJwk, createdAt, retiredAt } = value;
  if (typeof kid !== 'string' || kid === '') throw new KeySetFormatError(`key ${index} has no "kid"`);
  if (typeof alg !== 'string' || !(SUPPORTED_SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new KeySetFormatError(`key "${kid}" has an unsupported "alg"`);
  }
  if (!isRecord(privateJwk) || typeof privateJwk.kty !== 'string' || typeof privateJwk.d !== 'string') {
    throw new KeySetFormatError(`key "${kid}" has no private JWK`);
  }
  if (!Number.isSafeInteger(createdAt)) throw new KeySetFormatError(`key "${kid}" has no numeric "createdAt"`);
  if (retiredAt !== undefined && !Number.isSafeInteger(retiredAt)) {
    throw new KeySetFormatError(`key "${kid}" has a non-numeric "retiredAt"`);
  }
  const entry: SigningKeyEntry = {
    kid,
    alg: alg as SigningAlgorithm,
    privateJwk: privateJwk as JWK,
    createdAt: createdAt as number,
  };
  return retiredAt === undefined ? entry : { ...entry, retiredAt: retiredAt as number };
}

export function serializeSigningKeySet(keySet: SigningKeySet): string {
  return JSON.stringify(keySet);
}

/** Creates a key set holding one new key of `algorithm`. */
export async function createInitialKeySet(algorithm: SigningAlgorithm, nowSeconds: number): Promise<SigningKeySet> {
  return { version: KEY_SET_VERSION, keys: [await generateKeyPairForAlgorithm(algorithm, nowSeconds)] };
}

export interface RotateKeySetOptions {
  readonly algorithm: SigningAlgorithm;
  readonly nowSeconds: number;
  readonly retiredKeyLifetimeSeconds: number;
}

/**
 * Returns the next key set: every signing key of `previous` retired at `nowSeconds`, keys
 * retired for `retiredKeyLifetimeSeconds` or longer dropped, and one new key added.
 */
export async function rotateKeySet(previous: SigningKeySet, options: RotateKeySetOptions): Promise<SigningKeySet> {
  const { nowSeconds } = options;
  const kept = previous.keys
    .filter((key) => key.retiredAt === undefined || key.retiredAt + options.retiredKeyLifetimeSeconds > nowSeconds)
    .map((key) => (key.retiredAt === undefined ? { ...key, retiredAt: nowSeconds } : key));
  const created = await generateKeyPairForAlgorithm(options.algorithm, nowSeconds);
  return { version: KEY_SET_VERSION, keys: [...kept, created] };
}

/**
 * Returns the key that signs: the newest key without `retiredAt`. Ties on `createdAt` go to
 * the larger `kid`, so every function picks the same key.
 */
export function currentSigningKey(keySet: SigningKeySet): SigningKeyEntry | undefined {
  let current: SigningKeyEntry | undefined;
  for (const key of keySet.keys) {
    if (key.retiredAt !== undefined) continue;
    if (current === undefined || key.createdAt > current.createdAt || (key.createdAt === current.createdAt && key.kid > current.kid)) {
      current = key;
    }
  }
  return current;
}

/**
 * Returns the public keys verifiers need: every key of the set that is not retired for
 * `retiredKeyLifetimeSeconds` yet, with the time until which a retired key stays published.
 */
export function publishedKeysOf(keySet: SigningKeySet, retiredLifetimeSeconds: number, nowSeconds: number): PublishedKey[] {
  const published: PublishedKey[] = [];
  for (const key of keySet.keys) {
    const jwk = toPublicJwk(key.privateJwk, key.kid, key.alg);
    if (key.retiredAt === undefined) {
      published.push({ kid: key.kid, alg: key.alg, jwk });
      continue;
    }
    const publishUntil = key.retiredAt + retiredLifetimeSeconds;
    if (publishUntil > nowSeconds) published.push({ kid: key.kid, alg: key.alg, jwk, publishUntil });
  }
  return published;
}

/**
 * Signs a short-lived test JWT with `key` and verifies it against the public key derived
 * from the same JWK, proving that the stored pair is complete and consistent. Throws on failure.
 */
export async function checkKeyPair(key: SigningKeyEntry, nowSeconds: number): Promise<void> {
  const privateKey = createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' });
  const publicKey = createPublicKey({ key: toPublicJwk(key.privateJwk, key.kid, key.alg) as JsonWebKey, format: 'jwk' });
  const token = await new SignJWT({ purpose: 'key-rotation-test' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 60)
    .sign(privateKey);
  const { protectedHeader } = await jwtVerify(token, publicKey, { algorithms: [key.alg], currentDate: new Date(nowSeconds * 1000) });
  if (protectedHeader.kid !== key.kid) throw new Error(`test signature of key "${key.kid}" carried kid "${String(protectedHeader.kid)}"`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
