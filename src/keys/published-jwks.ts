/**
 * The public signing keys as published in the DynamoDB table by the key-rotation function.
 * Verifiers (the JWKS endpoint, the authorizer, introspection) read this item instead of the
 * Secrets Manager secret, so they never get access to a private key.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SUPPORTED_SIGNING_ALGORITHMS } from '../config/config.js';
import type { ItemKey } from '../store/table.js';
import type { VerificationKey, VerificationKeySource } from './key-provider.js';
import type { PublishedKey } from './rotation.js';

/**
 * Key of the published JWKS item. It has its own partition, away from `KEYS` (the local
 * store's key items), so IAM can limit access to it with a `dynamodb:LeadingKeys` condition.
 */
export const PUBLISHED_JWKS_PARTITION = 'JWKS';
export const PUBLISHED_JWKS_KEY: ItemKey = { pk: PUBLISHED_JWKS_PARTITION, sk: 'PUBLISHED' };

export interface PublishedJwks {
  readonly keys: readonly PublishedKey[];
  /** Epoch seconds of the write. */
  readonly updatedAt: number;
}

/** Reads and writes the published JWKS item. */
export class PublishedJwksStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(jwks: PublishedJwks): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...PUBLISHED_JWKS_KEY, type: 'published-jwks', keys: jwks.keys, updatedAt: jwks.updatedAt },
      }),
    );
  }

  /** Returns the item, or `undefined` when no key has been published yet. */
  async get(): Promise<PublishedJwks | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { ...PUBLISHED_JWKS_KEY }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const keys = Array.isArray(Item.keys) ? Item.keys.filter(isPublishedKey) : [];
    return { keys, updatedAt: typeof Item.updatedAt === 'number' ? Item.updatedAt : 0 };
  }
}

export interface PublishedJwksKeySourceOptions {
  /** How long the keys read are reused before the item is read again. */
  readonly cacheSeconds: number;
  /** Minimum time between two reads forced by `invalidate()`. @default 10 */
  readonly invalidateCooldownSeconds?: number;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

interface CachedKeys {
  readonly keys: readonly PublishedKey[];
  readonly converted: Map<string, VerificationKey>;
  readonly loadedAt: number;
}

/**
 * Verification keys from the published JWKS item, cached for `cacheSeconds`. Keys whose
 * `publishUntil` has passed are left out on every call, cached or not.
 */
export class PublishedJwksKeySource implements VerificationKeySource {
  private cached: CachedKeys | undefined;
  private loading: Promise<CachedKeys> | undefined;
  private lastInvalidatedAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly cooldownMs: number;

  constructor(
    private readonly store: Pick<PublishedJwksStore, 'get'>,
    private readonly options: PublishedJwksKeySourceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.cooldownMs = (options.invalidateCooldownSeconds ?? 10) * 1000;
  }

  async getVerificationKeys(): Promise<readonly VerificationKey[]> {
    const cached = await this.load();
    const nowSeconds = Math.floor(this.now() / 1000);
    const keys: VerificationKey[] = [];
    for (const key of cached.keys) {
      if (key.publishUntil !== undefined && key.publishUntil <= nowSeconds) continue;
      const converted = cached.converted.get(key.kid);
      if (converted !== undefined) keys.push(converted);
    }
    return keys;
  }

  /**
   * Drops the cached keys, for example after a token named an unknown `kid`. Calls within
   * `invalidateCooldownSeconds` of the previous effective call are ignored, so a flood of
   * tokens with made-up `kid`s cannot turn into a flood of table reads.
   */
  invalidate(): void {
    const now = this.now();
    if (now - this.lastInvalidatedAt < this.cooldownMs) return;
    this.lastInvalidatedAt = now;
    this.cached = undefined;
  }

  private load(): Promise<CachedKeys> {
    const cached = this.cached;
    if (cached !== undefined && this.now() - cached.loadedAt < this.options.cacheSeconds * 1000) return Promise.resolve(cached);
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<CachedKeys> {
    const jwks = await this.store.get();
    const keys = jwks?.keys ?? [];
    const converted = new Map<string, VerificationKey>();
    for (const key of keys) {
      converted.set(key.kid, {
        kid: key.kid,
        alg: key.alg,
        publicKey: createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' }),
        jwk: key.jwk,
      });
    }
    const cached: CachedKeys = { keys, converted, loadedAt: this.now() };
    this.cached = cached;
    return cached;
  }
}

function isPublishedKey(value: unknown): value is PublishedKey {
  if (typeof value !== 'object' || value === null) return false;
  const key = value as Record<string, unknown>;
  return (
    typeof key.kid === 'string' &&
    typeof key.alg === 'string' &&
    (SUPPORTED_SIGNING_ALGORITHMS as readonly string[]).includes(key.alg) &&
    typeof key.jwk === 'object' &&
    key.jwk !== null &&
    (key.publishUntil === undefined || typeof key.publishUntil === 'number')
  );
}
