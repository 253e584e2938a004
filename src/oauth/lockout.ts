/**
 * Brute-force protection: password attempts are counted per username and failed secrets
 * per client id. After `maxFailures` failures inside one counting window the account is
 * locked; each further lockout of the same account doubles the lock duration up to
 * `maxLockSeconds`. A locked account is rejected with the same response, and after the
 * same work, as a wrong password, so neither the lock nor the account's existence shows.
 *
 * A password attempt is counted as a failure before the password is checked, with one
 * atomic store write. Only an attempt whose count is within `maxFailures` may check the
 * password, so however many requests arrive at once, at most `maxFailures` passwords are
 * checked per username and window. A success then resets the count.
 *
 * This module contains the policy and the decisions, and `LockoutRepository` stores the counters.
 */
import type { User } from './model.js';

/**
 * How long a lockout still counts for the doubling after the lock has ended, in seconds.
 * A lock that starts later than this after the previous one ended lasts `lockSeconds` again.
 */
export const LOCKOUT_HISTORY_SECONDS = 86_400;

/** Settings of one kind of lockout (users or clients). */
export interface LockoutPolicy {
  /** Failures within `windowSeconds` that lock the account; 0 turns counting and locking off. */
  readonly maxFailures: number;
  /** Length of the counting window, in seconds, from the first failure in it. */
  readonly windowSeconds: number;
  /** Duration of the first lockout, in seconds. */
  readonly lockSeconds: number;
  /** Upper bound of the doubling lock duration, in seconds. */
  readonly maxLockSeconds: number;
}

/** Whose failures a lock item counts. Unknown usernames are counted too, unknown client ids are not. */
export type LockSubjectKind = 'user' | 'client';

export interface LockSubject {
  readonly kind: LockSubjectKind;
  readonly id: string;
}

/** The stored counters of one subject. */
export interface LockState {
  /** Failures counted in the current window. While locked: the attempts made during the lock. */
  readonly failures: number;
  /** Epoch seconds when the current counting window ends. A lock ends the window. */
  readonly windowEndsAt: number;
  /** Epoch seconds until which the subject is locked; 0 when it never was. */
  readonly lockedUntil: number;
  /** Lockouts so far; the next lock lasts `lockSeconds * 2^lockouts` (see {@link lockoutsThatCount}). */
  readonly lockouts: number;
}

/** Item that stores the counters: the user item of an existing user, or the subject's lock item. */
export type CounterItem = 'user' | 'lock';

/** The counters of one subject as the write that counted an attempt left them. */
export interface CountedAttempt {
  readonly subject: LockSubject;
  readonly item: CounterItem;
  readonly state: LockState;
}

/** An attempt counted on an existing user's item, with the user read by the same write. */
export interface UserAttempt extends CountedAttempt {
  readonly user: User;
}

/** Lockout counters in the store. Every method is one conditional or atomic write, retried a bounded number of times. */
export interface LockoutStore {
  /** Counts an attempt on the user item and returns the user with the new counters; undefined when there is no such user. */
  reserveUserAttempt(username: string, policy: LockoutPolicy, nowSeconds: number): Promise<UserAttempt | undefined>;
  /** Counts an attempt on the subject's lock item, creating the item when there is none. */
  countAttempt(subject: LockSubject, policy: LockoutPolicy, nowSeconds: number): Promise<CountedAttempt>;
  /** Locks the subject of `attempt`. Returns undefined when the stored counters no longer call for a lock, for example because another request locked first. */
  lock(attempt: CountedAttempt, policy: LockoutPolicy, nowSeconds: number): Promise<LockState | undefined>;
  /**
   * Resets the failure count after a correct password, unless another attempt was counted,
   * or a lock was set, after `attempt`. Returns true when it reset the count. Never touches
   * `lockedUntil` or `lockouts`.
   */
  releaseUserAttempt(attempt: UserAttempt): Promise<boolean>;
  /** Reads a user without counting anything, for when lockout is turned off. */
  findUser(username: string): Promise<User | undefined>;
}

/** Receives a lockout as it happens, for the log line and the metric. */
export type LockoutListener = (event: LockoutEvent) => void;

export interface LockoutEvent {
  readonly kind: LockSubjectKind;
  /** The user's `sub` or the client id when known, else a hash of the presented name. */
  readonly subjectRef: string;
  readonly failures: number;
  readonly lockedUntil: number;
  readonly lockouts: number;
}

export function isLocked(state: LockState | undefined, nowSeconds: number): boolean {
  return state !== undefined && state.lockedUntil > nowSeconds;
}

/** Returns the failures counted in the window that is still open, 0 when it has ended. */
export function failuresInWindow(state: LockState | undefined, nowSeconds: number): number {
  return state !== undefined && state.windowEndsAt > nowSeconds ? state.failures : 0;
}

/** Outcome of a counted password attempt: check the password, or reject the attempt without a check. */
export type AttemptVerdict = 'check' | 'locked' | 'over limit';

/** Decides a password attempt from the counters its own reservation returned. */
export function judgeAttempt(state: LockState, policy: LockoutPolicy, nowSeconds: number): AttemptVerdict {
  if (isLocked(state, nowSeconds)) return 'locked';
  return state.failures > policy.maxFailures ? 'over limit' : 'check';
}

/** True when the counters have reached the maximum and no lock is set yet. */
export function isDueToLock(state: LockState, policy: LockoutPolicy, nowSeconds: number): boolean {
  return state.failures >= policy.maxFailures && !isLocked(state, nowSeconds);
}

/** Returns the earlier lockouts that still double the next lock: none once the last lock ended {@link LOCKOUT_HISTORY_SECONDS} ago. */
export function lockoutsThatCount(state: LockState, nowSeconds: number): number {
  return state.lockedUntil + LOCKOUT_HISTORY_SECONDS > nowSeconds ? state.lockouts : 0;
}

/** Returns the duration of the lock that follows `previousLockouts` earlier ones: doubling, capped. */
export function lockDurationSeconds(policy: LockoutPolicy, previousLockouts: number): number {
  const doublings = Math.min(previousLockouts, 30);
  return Math.min(policy.lockSeconds * 2 ** doublings, policy.maxLockSeconds);
}

export const isLockoutEnabled = (policy: LockoutPolicy): boolean => policy.maxFailures > 0;

/** Dependencies of locking a subject: the counters, the policy and the listener. */
export interface LockoutDependencies {
  readonly store: Pick<LockoutStore, 'lock'>;
  readonly policy: LockoutPolicy;
  readonly onLocked: LockoutListener;
}

/**
 * Locks the subject when `attempt` reached the maximum and reports the lockout to the
 * listener. Returns the locked state, or undefined when no lock was due or another
 * request set it first.
 */
export async function lockIfDue(
  deps: LockoutDependencies,
  attempt: CountedAttempt,
  subjectRef: string,
  nowSeconds: number,
): Promise<LockState | undefined> {
  if (!isDueToLock(attempt.state, deps.policy, nowSeconds)) return undefined;
  const locked = await deps.store.lock(attempt, deps.policy, nowSeconds);
  if (locked === undefined) return undefined;
  deps.onLocked({
    kind: attempt.subject.kind,
    subjectRef,
    failures: deps.policy.maxFailures,
    lockedUntil: locked.lockedUntil,
    lockouts: locked.lockouts,
  });
  return locked;
}

/** Dependencies of the password grant's brute-force protection. */
export interface UserLockoutDependencies extends LockoutDependencies {
  readonly store: LockoutStore;
}

/**
 * Brute-force protection of client secrets, kept next to the client cache so that a warm
 * function needs no store read to know whether a client is locked.
 */
export interface ClientSecretLockout {
  /** True when the client is locked or at its failure limit by the counters this process has cached or counted (see the implementation for the bound). */
  isLocked(clientId: string): boolean;
  /** Counts a wrong secret, or an attempt while locked. */
  recordFailure(clientId: string): Promise<void>;
  /**
   * Resets the counters after a correct secret when this process has failures cached.
   * Returns false when the store shows the client locked, in which case the secret must be rejected.
   */
  recordSuccess(clientId: string): Promise<boolean>;
}
