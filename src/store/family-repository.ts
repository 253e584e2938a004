import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RefreshFamily } from '../oauth/model.js';
import { familyKey, SUBJECT_ATTRIBUTE, SUBJECT_INDEX } from './table.js';

const FAMILY_PK_PREFIX = 'FAMILY#';

/** Refresh-token family records, one item per family. */
export class FamilyRepository {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async create(family: RefreshFamily): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...familyKey(family.familyId), type: 'family', [SUBJECT_ATTRIBUTE]: family.sub, ...family },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Reads a family with a strongly consistent read. Expiry is left to the caller. */
  async find(familyId: string): Promise<RefreshFamily | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: familyKey(familyId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toFamily(Item);
  }

  /**
   * Rotates a family from `presentedGeneration` to the next generation in one conditional
   * write. Returns the updated family, or undefined when the condition failed because the
   * generation has moved on, the family is revoked or expired, or it does not exist.
   * Concurrent calls with the same generation therefore have exactly one winner.
   *
   * The write also stores a random `rotationId`. When the write fails with an error that
   * leaves its outcome unknown (a timeout after DynamoDB applied it, or an SDK retry that
   * then fails the condition on the first attempt's own write), one consistent read decides:
   * if the family carries this call's `rotationId`, the rotation happened and its result is
   * returned. Otherwise the original error is thrown, and the presented token still works.
   */
  async rotate(familyId: string, presentedGeneration: number, nowSeconds: number): Promise<RefreshFamily | undefined> {
    const rotationId = randomUUID();
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: familyKey(familyId),
          UpdateExpression: 'SET generation = :next, rotatedAt = :now, lastUsedAt = :now, rotationId = :rotationId',
          ConditionExpression: 'generation = :presented AND attribute_not_exists(revokedAt) AND expiresAt > :now',
          ExpressionAttributeValues: {
            ':presented': presentedGeneration,
            ':next': presentedGeneration + 1,
            ':now': nowSeconds,
            ':rotationId': rotationId,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes === undefined ? undefined : toFamily(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.findOwnRotation(familyId, presentedGeneration, rotationId);
      const own = await this.findOwnRotation(familyId, presentedGeneration, rotationId).catch(() => undefined);
      if (own !== undefined) return own;
      throw error;
    }
  }

  /** Returns the family when its current generation was written by the rotation `rotationId`, else undefined. */
  private async findOwnRotation(familyId: string, presentedGeneration: number, rotationId: string): Promise<RefreshFamily | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: familyKey(familyId), ConsistentRead: true }),
    );
    if (Item === undefined || Item.rotationId !== rotationId || Item.generation !== presentedGeneration + 1) return undefined;
    return toFamily(Item);
  }

  /**
   * Marks a family revoked. Returns true when this call revoked it, false when it was
   * already revoked or does not exist. The first reason recorded is kept.
   */
  async markRevoked(familyId: string, reason: string, nowSeconds: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: familyKey(familyId),
          UpdateExpression: 'SET revokedAt = :now, revokedReason = :reason',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':now': nowSeconds, ':reason': reason },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Lists the ids of a user's families through the `bySubject` index. The index is
   * eventually consistent, so a family created a moment ago may be missing.
   */
  async listIdsBySubject(sub: string): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SUBJECT_INDEX,
          KeyConditionExpression: '#subject = :sub',
          ExpressionAttributeNames: { '#subject': SUBJECT_ATTRIBUTE },
          ExpressionAttributeValues: { ':sub': sub },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = String(item.pk);
        if (pk.startsWith(FAMILY_PK_PREFIX)) ids.push(pk.slice(FAMILY_PK_PREFIX.length));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return ids;
  }
}

export function toFamily(item: Record<string, unknown>): RefreshFamily {
  const optionalNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  return {
    familyId: String(item.familyId),
    clientId: String(item.clientId),
    clientInstanceId: typeof item.clientInstanceId === 'string' ? item.clientInstanceId : undefined,
    sub: String(item.sub),
    username: typeof item.username === 'string' ? item.username : undefined,
    scope: String(item.scope ?? ''),
    audience: String(item.audience ?? ''),
    generation: Number(item.generation),
    seed: String(item.seed),
    createdAt: Number(item.createdAt),
    lastUsedAt: Number(item.lastUsedAt),
    rotatedAt: optionalNumber(item.rotatedAt),
    expiresAt: Number(item.expiresAt),
    revokedAt: optionalNumber(item.revokedAt),
    revokedReason: typeof item.revokedReason === 'string' ? item.revokedReason : undefined,
  };
}
