import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  failuresInWindow,
  isLocked,
  isLockoutEnabled,
  lockIfDue,
  type ClientSecretLockout,
  type LockoutListener,
  type LockoutPolicy,
  type LockState,
} from '../oauth/lockout.js';
import type { Client } from '../oauth/model.js';
import { ClientRepository } from '../store/client-repository.js';
import type { LockoutRepository } from '../store/lockout-repository.js';

interface CachedEntry {
  readonly client: Client;
  lock: LockState | undefined;
  /** Epoch milliseconds after which the entry is read again. */
  readonly until: number;
}

export interface ClientLockoutOptions {
  readonly store: LockoutRepository;
  readonly policy: LockoutPolicy;
  readonly onLocked: LockoutListener;
}

/** Maximum number of cached clients; the oldest entry is dropped first. */
const MAX_CACHED_CLIENTS = 10_000;

/**
 * The client repository with brute-force protection of client secrets. A cache miss reads
 * the client record and its lockout counters in one `BatchGetItem`, and both are cached for
 * `cacheSeconds`, so a warm function authenticates a client with no store round trip.
 *
 * Every wrong secret is counted in the store, and the write returns the fresh counters,
 * which replace the cached ones, so an instance learns of a lock set by another instance at
 * its next failure at the latest. Failures whose write is still in flight are counted in
 * memory too, so parallel requests in one process get no more than the maximum number of
 * guesses. A success resets the stored count only when this instance has seen failures.
 * That write is conditioned on the client not being locked; when it fails, the correct
 * secret is rejected as if the cache had shown the lock.
 */
export class LockingClientRepository extends ClientRepository implements ClientSecretLockout {
  private readonly entries = new Map<string, CachedEntry>();
  /** Failures of this process whose counter write has not returned yet, by client id. */
  private readonly pendingFailures = new Map<string, number>();

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    private readonly cacheTtlSeconds: number,
    private readonly clock: () => number,
    private readonly lockout: ClientLockoutOptions,
  ) {
    super(db, tableName, cacheTtlSeconds, clock);
  }

  get secretLockout(): ClientSecretLockout {
    return this;
  }

  override async find(clientId: string): Promise<Client | undefined> {
    const cached = this.entries.get(clientId);
    if (cached !== undefined && cached.until > this.clock()) return cached.client;

    const { client, lock } = await this.lockout.store.findClientWithLock(clientId, this.nowSeconds());
    this.entries.delete(clientId);
    if (client === undefined) return undefined;
    if (this.cacheTtlSeconds > 0) {
      while (this.entries.size >= MAX_CACHED_CLIENTS) {
        const oldest = this.entries.keys().next();
        if (oldest.done === true) break;
        this.entries.delete(oldest.value);
      }
      this.entries.set(clientId, { client, lock, until: this.clock() + this.cacheTtlSeconds * 1000 });
    } else {
      // Without a cache the entry lives for this request only: authenticateClient reads it right after find.
      this.entries.set(clientId, { client, lock, until: this.clock() });
    }
    return client;
  }

  override async delete(clientId: string): Promise<boolean> {
    this.entries.delete(clientId);
    return super.delete(clientId);
  }

  isLocked(clientId: string): boolean {
    const { policy } = this.lockout;
    if (!isLockoutEnabled(policy)) return false;
    const nowSeconds = this.nowSeconds();
    const lock = this.entries.get(clientId)?.lock;
    const pending = this.pendingFailures.get(clientId) ?? 0;
    // NOTE: this reads only this process's cache and in-flight failures, so that a warm
    // function needs no round trip. An instance that has the client cached and has seen no
    // failure since the store locked the client checks one more secret (its failure write
    // then returns the lock), and a correct one succeeds. A burst spread over N such
    // instances can therefore check up to CLIENT_LOCKOUT_MAX_FAILURES + N secrets per lock.
    // An instance with no request meanwhile learns of the lock when its cache entry expires
    // (CLIENT_CACHE_SECONDS).
    return isLocked(lock, nowSeconds) || failuresInWindow(lock, nowSeconds) + pending >= policy.maxFailures;
  }

  async recordFailure(clientId: string): Promise<void> {
    if (!isLockoutEnabled(this.lockout.policy)) return;
    // Counted before the first await, so a request that arrives while this write is in flight is limited by it.
    this.pendingFailures.set(clientId, (this.pendingFailures.get(clientId) ?? 0) + 1);
    try {
      const nowSeconds = this.nowSeconds();
      const attempt = await this.lockout.store.countAttempt({ kind: 'client', id: clientId }, this.lockout.policy, nowSeconds);
      const locked = await lockIfDue(this.lockout, attempt, clientId, nowSeconds);
      const entry = this.entries.get(clientId);
      if (entry !== undefined) entry.lock = locked ?? attempt.state;
    } finally {
      const pending = (this.pendingFailures.get(clientId) ?? 1) - 1;
      if (pending > 0) this.pendingFailures.set(clientId, pending);
      else this.pendingFailures.delete(clientId);
    }
  }

  async recordSuccess(clientId: string): Promise<boolean> {
    const { policy, store } = this.lockout;
    const nowSeconds = this.nowSeconds();
    const entry = this.entries.get(clientId);
    if (!isLockoutEnabled(policy) || entry === undefined || failuresInWindow(entry.lock, nowSeconds) === 0) return true;
    if (!(await store.resetClientFailures(clientId, policy, nowSeconds))) {
      // Locked by another request since this entry was read: the next request reads the lock.
      this.entries.delete(clientId);
      return false;
    }
    if (entry.lock !== undefined) entry.lock = { ...entry.lock, failures: 0 };
    return true;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }
}
