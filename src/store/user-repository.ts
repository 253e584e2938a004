import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { User } from '../oauth/model.js';
import { userKey } from './table.js';

export class UserAlreadyExistsError extends Error {
  constructor(username: string) {
    super(`user "${username}" already exists`);
    this.name = 'UserAlreadyExistsError';
  }
}

export class UserRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(username: string): Promise<User | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: userKey(username), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toUser(Item);
  }

  async create(user: User): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...userKey(user.username), type: 'user', ...user },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UserAlreadyExistsError(user.username);
      throw error;
    }
  }

  /** Marks a user disabled; returns the user as it was, or undefined when there is no such user. */
  async disable(username: string): Promise<User | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(username),
          UpdateExpression: 'SET disabled = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes === undefined ? undefined : toUser(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Replaces the password hash after a successful login with outdated parameters. The
   * condition on the old hash keeps a concurrent password change from being overwritten.
   */
  async replacePasswordHash(username: string, oldHash: string, newHash: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(username),
          UpdateExpression: 'SET passwordHash = :new',
          ConditionExpression: 'passwordHash = :old',
          ExpressionAttributeValues: { ':new': newHash, ':old': oldHash },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

export function toUser(item: Record<string, unknown>): User {
  return {
    username: String(item.username),
    sub: String(item.sub),
    passwordHash: String(item.passwordHash),
    disabled: item.disabled === true,
    createdAt: Number(item.createdAt ?? 0),
  };
}
