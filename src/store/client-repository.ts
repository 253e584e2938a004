import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Client, GrantType } from '../oauth/model.js';
import { clientKey } from './table.js';

interface CachedClient {
  readonly client: Client;
  readonly until: number;
}

export class ClientAlreadyExistsError extends Error {
  constructor(clientId: string) {
    super(`client "${clientId}" already exists`);
    this.name = 'ClientAlreadyExistsError';
  }
}

/**
 * Client records, with a short in-memory cache so a warm function authenticates clients
 * without a read. A deleted client therefore keeps working for up to `cacheSeconds` in a
 * container that had it cached.
 */
export class ClientRepository {
  private readonly cache = new Map<string, CachedClient>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cacheSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async find(clientId: string): Promise<Client | undefined> {
    const cached = this.cache.get(clientId);
    if (cached !== undefined && cached.until > this.now()) return cached.client;

    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: clientKey(clientId), ConsistentRead: true }),
    );
    if (Item === undefined) {
      this.cache.delete(clientId);
      return undefined;
    }
    const client = toClient(Item);
    if (this.cacheSeconds > 0) {
      this.cache.set(clientId, { client, until: this.now() + this.cacheSeconds * 1000 });
    }
    return client;
  }

  async create(client: Client): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...clientKey(client.clientId), type: 'client', ...client, instanceId: client.instanceId ?? randomUUID() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ClientAlreadyExistsError(client.clientId);
      throw error;
    }
  }

  /** Deletes a client; returns false when it did not exist. */
  async delete(clientId: string): Promise<boolean> {
    this.cache.delete(clientId);
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: clientKey(clientId), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  /** Lists all clients. Scans the table, so it is for the admin CLI, not for request paths. */
  async list(): Promise<Client[]> {
    const clients: Client[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#type = :client',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':client': 'client' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) clients.push(toClient(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return clients.sort((a, b) => a.clientId.localeCompare(b.clientId));
  }
}

export function toClient(item: Record<string, unknown>): Client {
  return {
    clientId: String(item.clientId),
    secretHash: typeof item.secretHash === 'string' ? item.secretHash : undefined,
    grantTypes: Array.isArray(item.grantTypes) ? (item.grantTypes as GrantType[]) : [],
    scopes: Array.isArray(item.scopes) ? (item.scopes as string[]) : [],
    audience: typeof item.audience === 'string' ? item.audience : undefined,
    createdAt: Number(item.createdAt ?? 0),
    instanceId: typeof item.instanceId === 'string' ? item.instanceId : undefined,
  };
}
