import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import type { SigningAlgorithm } from '../config/config.js';
import { isExpired, KEYS_PARTITION, secretKey, signingKeyKey } from '../store/table.js';
import type { KeyProvider, RefreshTokenKeyProvider, SigningKey, VerificationKey } from './key-provider.js';
import { generateKeyPairForAlgorithm, toSigningKey, toVerificationKey, type StoredKeyPair } from './key-material.js';

export interface StoreKeyProviderOptions {
  readonly tableName: string;
  readonly algorithm: SigningAlgorithm;
  readonly cacheSeconds: number;
  /**
   * How long a replaced key stays published after a rotation: the access-token lifetime
   * plus a margin for clock skew, so every token it signed can still be verified.
   */
  readonly retiredKeyLifetimeSeconds: number;
  readonly now?: () => number;
}

interface KeySet {
  readonly signing: SigningKey;
  readonly verification: readonly VerificationKey[];
  readonly until: number;
}

interface KeyItem extends StoredKeyPair {
  readonly retiredAt?: number;
  readonly expiresAt?: number;
}

const REFRESH_KEY_NAME = 'refresh-token-key';

/**
 * Keys kept in the DynamoDB table, for the local server and tests. The first call on an
 * empty store generates a key pair. Private keys sit in the table unencrypted, which is
 * acceptable only for local use; deployments use the Secrets Manager provider.
 */
export class StoreKeyProvider implements KeyProvider, RefreshTokenKeyProvider {
  private keySet: KeySet | undefined;
  private loading: Promise<KeySet> | undefined;
  private refreshKey: Promise<Buffer> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: StoreKeyProviderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async getSigningKey(): Promise<SigningKey> {
    return (await this.load()).signing;
  }

  async getVerificationKeys(): Promise<readonly VerificationKey[]> {
    return (await this.load()).verification;
  }

  invalidate(): void {
    this.keySet = undefined;
  }

  async getRefreshTokenKey(): Promise<Buffer> {
    this.refreshKey ??= this.loadRefreshKey().catch((error: unknown) => {
      this.refreshKey = undefined;
      throw error;
    });
    return this.refreshKey;
  }

  /**
   * Generates a new signing key and retires the current ones. Retired keys stay in the
   * JWKS for `retiredKeyLifetimeSeconds`. Returns the new key's `kid`.
   */
  async rotate(): Promise<string> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const previous = (await this.readKeys()).filter((key) => key.retiredAt === undefined);
    const created = await this.putNewKey();
    for (const key of previous) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: signingKeyKey(key.kid),
          UpdateExpression: 'SET retiredAt = :now, expiresAt = :expires',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(retiredAt)',
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':expires': nowSeconds + this.options.retiredKeyLifetimeSeconds,
          },
        }),
      ).catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    }
    this.invalidate();
    return created.kid;
  }

  private load(): Promise<KeySet> {
    if (this.keySet !== undefined && this.keySet.until > this.now()) return Promise.resolve(this.keySet);
    this.loading ??= this.readKeySet().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async readKeySet(): Promise<KeySet> {
    let keys = await this.readKeys();
    let current = pickCurrent(keys, this.options.algorithm);
    if (current === undefined) {
      await this.putNewKey();
      keys = await this.readKeys();
      current = pickCurrent(keys, this.options.algorithm);
    }
    if (current === undefined) throw new Error('no signing key could be created in the key store');

    const keySet: KeySet = {
      signing: toSigningKey(current),
      verification: keys.map(toVerificationKey),
      until: this.now() + this.options.cacheSeconds * 1000,
    };
    this.keySet = keySet;
    return keySet;
  }

  private async readKeys(): Promise<KeyItem[]> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const items: KeyItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': KEYS_PARTITION },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (!isExpired(item, nowSeconds)) items.push(toKeyItem(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  private async putNewKey(): Promise<StoredKeyPair> {
    const pair = await generateKeyPairForAlgorithm(this.options.algorithm, Math.floor(this.now() / 1000));
    await this.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { ...signingKeyKey(pair.kid), type: 'signing-key', ...pair },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return pair;
  }

  private async loadRefreshKey(): Promise<Buffer> {
    const key = secretKey(REFRESH_KEY_NAME);
    const read = async (): Promise<Buffer | undefined> => {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.options.tableName, Key: key, ConsistentRead: true }),
      );
      return typeof Item?.value === 'string' ? Buffer.from(Item.value, 'base64url') : undefined;
    };

    const existing = await read();
    if (existing !== undefined) return existing;
    try {
      const value = randomBytes(32);
      await this.db.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...key, type: 'secret', value: value.toString('base64url') },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return value;
    } catch (error) {
      // Another process created the key first: use theirs.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const created = await read();
      if (created === undefined) throw new Error('refresh-token key vanished right after it was created', { cause: error });
      return created;
    }
  }
}

/** Picks the newest unretired key of the configured algorithm. Ties on `createdAt` go to the larger `kid`, so every process picks the same key. */
function pickCurrent(keys: readonly KeyItem[], algorithm: SigningAlgorithm): KeyItem | undefined {
  let current: KeyItem | undefined;
  for (const key of keys) {
    if (key.retiredAt !== undefined || key.alg !== algorithm) continue;
    if (current === undefined || key.createdAt > current.createdAt || (key.createdAt === current.createdAt && key.kid > current.kid)) {
      current = key;
    }
  }
  return current;
}

function toKeyItem(item: Record<string, unknown>): KeyItem {
  return {
    kid: String(item.kid),
    alg: item.alg as SigningAlgorithm,
    privateJwk: item.privateJwk as JWK,
    createdAt: Number(item.createdAt),
    retiredAt: typeof item.retiredAt === 'number' ? item.retiredAt : undefined,
    expiresAt: typeof item.expiresAt === 'number' ? item.expiresAt : undefined,
  } as KeyItem;
}
