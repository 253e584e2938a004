import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RefreshFamily } from '../oauth/model.js';
import { familyKey, SUBJECT_ATTRIBUTE } from './table.js';

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
}

export function toFamily(item: Record<string, unknown>): RefreshFamily {
  const optionalNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  return {
    familyId: String(item.familyId),
    clientId: String(item.clientId),
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
