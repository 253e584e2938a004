import { BatchGetCommand, PutCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreCapacityError } from '../http/store-faults.js';
import { denyKey, isExpired, type DenyKind } from './table.js';

export interface DenyListEntry {
  readonly kind: DenyKind;
  readonly id: string;
}

/**
 * The access-token deny-list written by revocation and reuse detection and read by the
 * authorizer and introspection. An entry lives until the last access token it covers has
 * expired (`expiresAt`), so the list stays small.
 */
export class DenyListRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds an entry. An existing entry is only ever extended: the stored `expiresAt` becomes the
   * later of the two, so a shorter-lived write cannot shorten a longer one.
   */
  async add(entry: DenyListEntry, expiresAt: number, reason: string, nowSeconds: number): Promise<void> {
    await this.db
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...denyKey(entry.kind, entry.id), type: 'deny', kind: entry.kind, id: entry.id, reason, deniedAt: nowSeconds, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :expiresAt',
          ExpressionAttributeValues: { ':expiresAt': expiresAt },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      });
  }

  /** Returns the entries among `entries` that are denied now, in one strongly consistent batch read. */
  async findDenied(entries: readonly DenyListEntry[], nowSeconds: number): Promise<DenyListEntry[]> {
    if (entries.length === 0) return [];
    const keys: Record<string, unknown>[] = entries.map((entry) => ({ ...denyKey(entry.kind, entry.id) }));
    let pending: Record<string, unknown>[] | undefined = keys;
    const denied: DenyListEntry[] = [];
    // BatchGet may return some keys as unprocessed under load; read those again.
    for (let attempt = 0; pending !== undefined && pending.length > 0; attempt += 1) {
      if (attempt >= 5) throw new StoreCapacityError('deny-list read left keys unprocessed after 5 attempts');
      const result: BatchGetCommandOutput = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        if (!isExpired(item, nowSeconds)) denied.push({ kind: item.kind as DenyKind, id: String(item.id) });
      }
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return denied;
  }
}
