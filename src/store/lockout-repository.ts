import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  PutCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { StoreCapacityError } from '../http/store-faults.js';
import {
  lockDurationSeconds,
  type FailureOutcome,
  type LockoutPolicy,
  type LockoutStore,
  type LockState,
  type LockSubject,
} from '../oauth/lockout.js';
import type { Client, User } from '../oauth/model.js';
import { toClient } from './client-repository.js';
import { clientKey, isExpired, lockKey, userKey, type ItemKey } from './table.js';
import { toUser } from './user-repository.js';

/**
 * How long a lock item outlives its last failure, in seconds, on top of the window and the
 * longest lock. Until then a new lockout of the same subject lasts twice as long as the last.
 */
export const LOCK_RETENTION_SECONDS = 86_400;

/** Attempts of the read-modify cycles below before giving up under contention. */
const MAX_WRITE_ATTEMPTS = 3;
/** Attempts of a batch read whose response listed unprocessed keys. */
const MAX_BATCH_ATTEMPTS = 5;

export interface UserWithLock {
  readonly user: User | undefined;
  readonly lock: LockState | undefined;
}

export interface ClientWithLock {
  readonly client: Client | undefined;
  readonly lock: LockState | undefined;
}

/**
 * Lockout counters, one item per username or client id (`LOCK#<kind>:<id>`), with TTL
 * `expiresAt`. Reads fetch the counters together with the user or client record in one
 * strongly consistent `BatchGetItem`, so checking a lock costs no extra round trip.
 *
 * Counting uses atomic `UpdateItem ADD` inside the open window. A failure after the window
 * has ended restarts the count with a conditional write, and reaching the maximum sets the
 * lock with another conditional write, so concurrent failures neither lose a count nor lock
 * twice.
 */
export class LockoutRepository implements LockoutStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads a user and the counters of its username in one round trip. */
  async findUserWithLock(username: string, nowSeconds: number): Promise<UserWithLock> {
    const items = await this.batchGet([userKey(username), lockKey('user', username)]);
    const userItem = items.get(userKey(username).pk);
    const lockItem = items.get(lockKey('user', username).pk);
    return { user: userItem === undefined ? undefined : toUser(userItem), lock: toLockState(lockItem, nowSeconds) };
  }

  /** Reads a client and the counters of its client id in one round trip. */
  async findClientWithLock(clientId: string, nowSeconds: number): Promise<ClientWithLock> {
    const items = await this.batchGet([clientKey(clientId), lockKey('client', clientId)]);
    const clientItem = items.get(clientKey(clientId).pk);
    const lockItem = items.get(lockKey('client', clientId).pk);
    return { client: clientItem === undefined ? undefined : toClient(clientItem), lock: toLockState(lockItem, nowSeconds) };
  }

  async recordFailure(subject: LockSubject, policy: LockoutPolicy, nowSeconds: number): Promise<FailureOutcome> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      const counted = (await this.countInOpenWindow(subject, policy, nowSeconds)) ?? (await this.restartWindow(subject, policy, nowSeconds));
      if (counted === undefined) continue;
      if (counted.failures < policy.maxFailures || counted.lockedUntil > nowSeconds) return { state: counted, lockedNow: false };
      const locked = await this.lock(subject, policy, counted, nowSeconds);
      return locked === undefined ? { state: counted, lockedNow: false } : { state: locked, lockedNow: true };
    }
    throw new StoreCapacityError(`lockout counter ${subject.kind} stayed contended after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  async recordLockedAttempt(subject: LockSubject, nowSeconds: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: lockKey(subject.kind, subject.id),
          UpdateExpression: 'ADD lockedAttempts :one SET lastFailureAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds },
        }),
      );
    } catch (error) {
      // The item was cleared in the meantime; there is no lock left to count against.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async clear(subject: LockSubject): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: lockKey(subject.kind, subject.id) }));
  }

  /** Adds one failure to an open, unexpired window, creating the item if there is none. Returns undefined when the window has ended. */
  private async countInOpenWindow(subject: LockSubject, policy: LockoutPolicy, nowSeconds: number): Promise<LockState | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: lockKey(subject.kind, subject.id),
          UpdateExpression:
            'ADD failures :one SET #type = :type, windowEndsAt = if_not_exists(windowEndsAt, :windowEnd), ' +
            'lockedUntil = if_not_exists(lockedUntil, :zero), lockouts = if_not_exists(lockouts, :zero), ' +
            'lastFailureAt = :now, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(pk) OR (windowEndsAt > :now AND expiresAt > :now)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':zero': 0,
            ':type': 'lock',
            ':now': nowSeconds,
            ':windowEnd': nowSeconds + policy.windowSeconds,
            ':expiresAt': retainUntil(policy, nowSeconds),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toLockState(Attributes, nowSeconds);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Starts a new window with this failure as its first. An item past its TTL starts over
   * completely (lockout history included); otherwise the lockout history is kept.
   * Returns undefined when a concurrent write got there first.
   */
  private async restartWindow(subject: LockSubject, policy: LockoutPolicy, nowSeconds: number): Promise<LockState | undefined> {
    const values = {
      ':one': 1,
      ':now': nowSeconds,
      ':windowEnd': nowSeconds + policy.windowSeconds,
      ':expiresAt': retainUntil(policy, nowSeconds),
    };
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: lockKey(subject.kind, subject.id),
          UpdateExpression: 'SET failures = :one, windowEndsAt = :windowEnd, lastFailureAt = :now, expiresAt = :expiresAt',
          ConditionExpression: 'windowEndsAt <= :now AND expiresAt > :now',
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toLockState(Attributes, nowSeconds);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const fresh = { failures: 1, windowEndsAt: nowSeconds + policy.windowSeconds, lockedUntil: 0, lockouts: 0 };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...lockKey(subject.kind, subject.id),
            type: 'lock',
            ...fresh,
            lastFailureAt: nowSeconds,
            expiresAt: retainUntil(policy, nowSeconds),
          },
          ConditionExpression: 'expiresAt <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return fresh;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Locks the subject once its count has reached the maximum. Returns undefined when a concurrent request locked it first. */
  private async lock(subject: LockSubject, policy: LockoutPolicy, counted: LockState, nowSeconds: number): Promise<LockState | undefined> {
    const lockedUntil = nowSeconds + lockDurationSeconds(policy, counted.lockouts);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: lockKey(subject.kind, subject.id),
          // The window closes with the lock, so counting starts afresh once the lock has expired.
          UpdateExpression: 'SET lockedUntil = :until, failures = :zero, windowEndsAt = :now, expiresAt = :expiresAt ADD lockouts :one',
          ConditionExpression: 'failures >= :max AND lockedUntil <= :now',
          ExpressionAttributeValues: {
            ':until': lockedUntil,
            ':zero': 0,
            ':one': 1,
            ':now': nowSeconds,
            ':max': policy.maxFailures,
            ':expiresAt': retainUntil(policy, nowSeconds),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toLockState(Attributes, nowSeconds);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Reads items by key with one strongly consistent batch read, reading unprocessed keys again with a short backoff. */
  private async batchGet(keys: readonly ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    let pending: Record<string, unknown>[] | undefined = keys.map((key) => ({ ...key }));
    for (let attempt = 0; pending !== undefined && pending.length > 0; attempt += 1) {
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new StoreCapacityError(`batch read left keys unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
      const result: BatchGetCommandOutput = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item.pk), item);
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return found;
  }
}

/**
 * Returns the TTL of a lock item written at `nowSeconds`. Every write sets it, and it lies beyond
 * both the window and any lock set by that write, so TTL never deletes an active lock.
 */
function retainUntil(policy: LockoutPolicy, nowSeconds: number): number {
  return nowSeconds + policy.windowSeconds + policy.maxLockSeconds + LOCK_RETENTION_SECONDS;
}

/** Returns the counters of a lock item, or undefined when there is none or it has passed its TTL. */
export function toLockState(item: Record<string, unknown> | undefined, nowSeconds: number): LockState | undefined {
  if (item === undefined || isExpired(item, nowSeconds)) return undefined;
  const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    failures: number(item.failures),
    windowEndsAt: number(item.windowEndsAt),
    lockedUntil: number(item.lockedUntil),
    lockouts: number(item.lockouts),
  };
}
