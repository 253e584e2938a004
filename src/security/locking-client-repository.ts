import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  hasFailures,
  isLocked,
  isLockoutEnabled,
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
 * Failures are counted in the store by every function instance, but an instance learns of a
 * lock set by another instance only when its cache entry expires. A locked client can
 * therefore still authenticate for up to `cacheSeconds` in an instance with a warm entry.
 * Success clears the counters when this instance's entry shows failures.
 */
export class LockingClientRepository extends ClientRepository implements ClientSecretLockout {
  private readonly entries = new Map<string, CachedEntry>();

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
    return isLockoutEnabled(this.lockout.policy) && isLocked(this.entries.get(clientId)?.lock, this.nowSeconds());
  }

  async recordFailure(clientId: string): Promise<void> {
    const { policy, store } = this.lockout;
    if (!isLockoutEnabled(policy)) return;
    const nowSeconds = this.nowSeconds();
    const subject = { kind: 'client', id: clientId } as const;
    if (this.isLocked(clientId)) {
      await store.recordLockedAttempt(subject, nowSeconds);
      return;
    }
    const outcome = await store.recordFailure(subject, policy, nowSeconds);
    const entry = this.entries.get(clientId);
    if (entry !== undefined) entry.lock = outcome.state;
    if (outcome.lockedNow) {
      this.lockout.onLocked({
        kind: 'client',
        subjectRef: clientId,
        failures: policy.maxFailures,
        lockedUntil: outcome.state.lockedUntil,
        lockouts: outcome.state.lockouts,
      });
    }
  }

  async recordSuccess(clientId: string): Promise<void> {
    const entry = this.entries.get(clientId);
    if (!isLockoutEnabled(this.lockout.policy) || entry === undefined || !hasFailures(entry.lock)) return;
    await this.lockout.store.clear({ kind: 'client', id: clientId });
    entry.lock = undefined;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }
}
