import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import { SUPPORTED_SIGNING_ALGORITHMS, type SigningAlgorithm } from '../config/config.js';
import type { VerificationKey, VerificationKeySource } from '../keys/key-provider.js';
import { isExpired, KEYS_PARTITION } from '../store/table.js';

export interface StoreVerificationKeysOptions {
  readonly tableName: string;
  /** How long loaded keys are reused before the table is read again, in seconds. */
  readonly cacheSeconds: number;
  readonly now?: () => number;
}

/**
 * Read-only source of the public keys kept in the table by the local key provider. The
 * query projects only the public members of each key (`kty`, `n`, `e`, `crv`, `x`, `y`),
 * so private key material never reaches the authorizer, and it never writes: an empty
 * table yields no keys and every token is rejected.
 */
export class StoreVerificationKeys implements VerificationKeySource {
  private keys: readonly VerificationKey[] | undefined;
  private until = 0;
  private loading: Promise<readonly VerificationKey[]> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: StoreVerificationKeysOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  getVerificationKeys(): Promise<readonly VerificationKey[]> {
    if (this.keys !== undefined && this.until > this.now()) return Promise.resolve(this.keys);
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  invalidate(): void {
    this.until = 0;
  }

  private async read(): Promise<readonly VerificationKey[]> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const keys: VerificationKey[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ProjectionExpression: 'kid, alg, expiresAt, privateJwk.kty, privateJwk.n, privateJwk.e, privateJwk.crv, privateJwk.x, privateJwk.y',
          ExpressionAttributeValues: { ':pk': KEYS_PARTITION },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (isExpired(item, nowSeconds)) continue;
        const key = toVerificationKey(item);
        if (key !== undefined) keys.push(key);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);

    this.keys = keys;
    this.until = this.now() + this.options.cacheSeconds * 1000;
    return keys;
  }
}

/** Builds a key from a projected item; returns undefined for an item that is not a usable public key. */
function toVerificationKey(item: Record<string, unknown>): VerificationKey | undefined {
  const { kid, alg, privateJwk } = item;
  if (typeof kid !== 'string' || typeof alg !== 'string' || typeof privateJwk !== 'object' || privateJwk === null) return undefined;
  if (!(SUPPORTED_SIGNING_ALGORITHMS as readonly string[]).includes(alg)) return undefined;
  const members = privateJwk as Record<string, unknown>;
  const publicJwk: JWK = {};
  for (const name of ['kty', 'n', 'e', 'crv', 'x', 'y']) {
    if (typeof members[name] === 'string') (publicJwk as Record<string, unknown>)[name] = members[name];
  }
  return {
    kid,
    alg: alg as SigningAlgorithm,
    publicKey: createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }),
    jwk: { ...publicJwk, kid, alg, use: 'sig' },
  };
}
