import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StoreCapacityError } from '../http/store-faults.js';
import {
  LOCKOUT_HISTORY_SECONDS,
  lockDurationSeconds,
  lockoutsThatCount,
  type CountedAttempt,
  type CounterItem,
  type LockoutPolicy,
  type LockoutStore,
  type LockState,
  type LockSubject,
  type UserAttempt,
} from '../oauth/lockout.js';
import type { Client, User } from '../oauth/model.js';
import { toClient } from './client-repository.js';
import { clientKey, isExpired, lockKey, userKey, type ItemKey } from './table.js';
import { toUser } from './user-repository.js';

/** Attempts of the count-and-restart cycle below before giving up under contention. */
const MAX_WRITE_ATTEMPTS = 3;
/** Attempts of a batch read whose response listed unprocessed keys. */
const MAX_BATCH_ATTEMPTS = 5;

/** Adds one attempt and fills in the counters an item does not have yet. Lock items also get their type and TTL here. */
const COUNT_ATTEMPT =
  'ADD failures :one SET windowEndsAt = if_not_exists(windowEndsAt, :windowEnd), ' +
  'lockedUntil = if_not_exists(lockedUntil, :zero), lockouts = if_not_exists(lockouts, :zero)';

export interface ClientWithLock {
  readonly client: Client | undefined;
  readonly lock: LockState | undefined;
}

/**
 * Lockout counters. An existing user's counters are attributes of the user item
 * (`USER#<username>`), so one `UpdateItem` counts the attempt and returns the password
 * hash. Unknown usernames and client ids have a lock item (`LOCK#<kind>:<id>`) with TTL
 * `expiresAt`. Both carry `failures`, `windowEndsAt`, `lockedUntil` and `lockouts`.
 *
 * Counting is an atomic `ADD`, so parallel attempts get distinct counts. The writes that
 * restart a window, lock, or reset the count after a success are conditioned on the
 * counters their request saw, so they never undo a concurrent lock or lose a concurrent
 * count. Only `ConditionalCheckFailedException` is caught; store faults propagate.
 */
export class LockoutRepository implements LockoutStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads a client and the counters of its client id in one round trip. */
  async findClientWithLock(clientId: string, nowSeconds: number): Promise<ClientWithLock> {
    const items = await this.batchGet([clientKey(clientId), lockKey('client', clientId)]);
    const clientItem = items.get(clientKey(clientId).pk);
    const lockItem = items.get(lockKey('client', clientId).pk);
    return { client: clientItem === undefined ? undefined : toClient(clientItem), lock: toLockState(lockItem, nowSeconds) };
  }

  async findUser(username: string): Promise<User | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: userKey(username), ConsistentRead: true }));
    return Item === undefined ? undefined : toUser(Item);
  }

  async reserveUserAttempt(username: string, policy: LockoutPolicy, nowSeconds: number): Promise<UserAttempt | undefined> {
    const subject: LockSubject = { kind: 'user', id: username };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      let item: Record<string, unknown>;
      try {
        item = await this.update({
          Key: userKey(username),
          UpdateExpression: COUNT_ATTEMPT,
          // The user item is never created here: an unknown username is counted on its lock item.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':windowEnd': nowSeconds + policy.windowSeconds },
        });
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
      const state = await this.settleWindow(subject, 'user', toCounters(item), policy, nowSeconds);
      if (state !== undefined) return { subject, item: 'user', state, user: toUser(item) };
    }
    throw new StoreCapacityError(`lockout counter of a user stayed contended after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  async countAttempt(subject: LockSubject, policy: LockoutPolicy, nowSeconds: number): Promise<CountedAttempt> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      const item = await this.update({
        Key: lockKey(subject.kind, subject.id),
        UpdateExpression: `${COUNT_ATTEMPT}, #type = :type, expiresAt = if_not_exists(expiresAt, :expiresAt)`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':zero': 0,
          ':type': 'lock',
          ':windowEnd': nowSeconds + policy.windowSeconds,
          ':expiresAt': retainUntil(policy, nowSeconds),
        },
      });
      const state = await this.settleWindow(subject, 'lock', toCounters(item), policy, nowSeconds);
      if (state !== undefined) return { subject, item: 'lock', state };
    }
    throw new StoreCapacityError(`lockout counter ${subject.kind} stayed contended after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  async lock(attempt: CountedAttempt, policy: LockoutPolicy, nowSeconds: number): Promise<LockState | undefined> {
    const { state } = attempt;
    const previous = lockoutsThatCount(state, nowSeconds);
    try {
      const item = await this.update({
        Key: counterKey(attempt.subject, attempt.item),
        // The lock ends the window, so counting starts afresh once the lock has expired.
        UpdateExpression: `SET lockedUntil = :until, failures = :zero, windowEndsAt = :now, lockouts = :lockouts${ttlUpdate(attempt.item)}`,
        ConditionExpression: 'failures >= :max AND lockedUntil <= :now AND lockouts = :seenLockouts',
        ExpressionAttributeValues: {
          ':until': nowSeconds + lockDurationSeconds(policy, previous),
          ':zero': 0,
          ':now': nowSeconds,
          ':lockouts': previous + 1,
          ':max': policy.maxFailures,
          ':seenLockouts': state.lockouts,
          ...ttlValue(attempt.item, policy, nowSeconds),
        },
      });
      return toCounters(item);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async releaseUserAttempt(attempt: UserAttempt): Promise<boolean> {
    try {
      await this.update({
        Key: userKey(attempt.subject.id),
        // Removing the window lets the next failure open a full one.
        UpdateExpression: 'SET failures = :zero REMOVE windowEndsAt',
        // Any attempt counted since this one, and any lock (which adds to lockouts), fail the condition.
        ConditionExpression: 'failures = :seenFailures AND windowEndsAt = :seenWindowEnd AND lockouts = :seenLockouts',
        ExpressionAttributeValues: {
          ':zero': 0,
          ':seenFailures': attempt.state.failures,
          ':seenWindowEnd': attempt.state.windowEndsAt,
          ':seenLockouts': attempt.state.lockouts,
        },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Resets a client's failure count after a correct secret, keeping `lockouts`. Returns
   * false, and changes nothing, when the client is locked. A missing item is created as an
   * empty one with TTL, so that only a lock fails the condition.
   */
  async resetClientFailures(clientId: string, policy: LockoutPolicy, nowSeconds: number): Promise<boolean> {
    try {
      await this.update({
        Key: lockKey('client', clientId),
        UpdateExpression: 'SET failures = :zero, #type = :type, expiresAt = if_not_exists(expiresAt, :expiresAt) REMOVE windowEndsAt',
        ConditionExpression: 'attribute_not_exists(pk) OR lockedUntil <= :now',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':zero': 0, ':type': 'lock', ':now': nowSeconds, ':expiresAt': retainUntil(policy, nowSeconds) },
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Returns the counters an attempt counts against. When the counting window has ended (and
   * no lock is active), it restarts the window with this attempt as its first failure,
   * keeping `lockouts`. Returns undefined when a concurrent write changed the window first;
   * the caller then counts the attempt again, since the restart dropped its first count.
   */
  private async settleWindow(
    subject: LockSubject,
    item: CounterItem,
    state: LockState,
    policy: LockoutPolicy,
    nowSeconds: number,
  ): Promise<LockState | undefined> {
    if (state.lockedUntil > nowSeconds || state.windowEndsAt > nowSeconds) return state;
    try {
      const restarted = await this.update({
        Key: counterKey(subject, item),
        UpdateExpression: `SET failures = :one, windowEndsAt = :windowEnd${ttlUpdate(item)}`,
        ConditionExpression: 'windowEndsAt = :seenWindowEnd AND lockouts = :seenLockouts',
        ExpressionAttributeValues: {
          ':one': 1,
          ':windowEnd': nowSeconds + policy.windowSeconds,
          ':seenWindowEnd': state.windowEndsAt,
          ':seenLockouts': state.lockouts,
          ...ttlValue(item, policy, nowSeconds),
        },
      });
      return toCounters(restarted);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Sends one `UpdateItem` and returns the item as it is after the update. */
  private async update(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<Record<string, unknown>> {
    const { Attributes } = await this.db.send(new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW' }));
    return Attributes ?? {};
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

function counterKey(subject: LockSubject, item: CounterItem): ItemKey {
  return item === 'user' ? userKey(subject.id) : lockKey(subject.kind, subject.id);
}

/** The TTL assignment of writes that restart a window or lock: lock items only, because a user item must never expire. */
const ttlUpdate = (item: CounterItem): string => (item === 'lock' ? ', expiresAt = :expiresAt' : '');
const ttlValue = (item: CounterItem, policy: LockoutPolicy, nowSeconds: number): Record<string, number> =>
  item === 'lock' ? { ':expiresAt': retainUntil(policy, nowSeconds) } : {};

/**
 * Returns the TTL of a lock item written at `nowSeconds`. It lies beyond the window, the
 * longest lock and the lockout history, so TTL never deletes counters that still matter.
 */
function retainUntil(policy: LockoutPolicy, nowSeconds: number): number {
  return nowSeconds + policy.windowSeconds + policy.maxLockSeconds + LOCKOUT_HISTORY_SECONDS;
}

/** Returns the counters of an item; missing attributes count as 0. */
function toCounters(item: Record<string, unknown>): LockState {
  const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    failures: number(item.failures),
    windowEndsAt: number(item.windowEndsAt),
    lockedUntil: number(item.lockedUntil),
    lockouts: number(item.lockouts),
  };
}

/** Returns the counters of a lock item, or undefined when there is none or it has passed its TTL. */
export function toLockState(item: Record<string, unknown> | undefined, nowSeconds: number): LockState | undefined {
  if (item === undefined || isExpired(item, nowSeconds)) return undefined;
  return toCounters(item);
}
