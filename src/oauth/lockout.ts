/**
 * Brute-force protection: failed password attempts are counted per username and failed
 * secrets per client id. After `maxFailures` failures inside one counting window the
 * account is locked; each further lockout of the same account doubles the lock duration up
 * to `maxLockSeconds`. A locked account is rejected with the same response, and after the
 * same work, as a wrong password, so neither the lock nor the account's existence shows.
 *
 * This module contains the policy and the decisions, and `LockoutRepository` stores the counters.
 */
import type { User } from './model.js';

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
  /** Failures counted in the current window. */
  readonly failures: number;
  /** Epoch seconds when the current counting window ends. */
  readonly windowEndsAt: number;
  /** Epoch seconds until which the subject is locked; 0 when it is not. */
  readonly lockedUntil: number;
  /** Lockouts so far; the next lock lasts `lockSeconds * 2^lockouts`. */
  readonly lockouts: number;
}

/** The effect of one recorded failure. */
export interface FailureOutcome {
  readonly state: LockState;
  /** True when this failure locked the subject. */
  readonly lockedNow: boolean;
}

/** Lockout counters in the store. Every method is one conditional or atomic write, retried a bounded number of times. */
export interface LockoutStore {
  /** Counts one failure and locks the subject when the count reaches the policy's maximum. */
  recordFailure(subject: LockSubject, policy: LockoutPolicy, nowSeconds: number): Promise<FailureOutcome>;
  /** Counts an attempt on a locked subject without extending the lock. */
  recordLockedAttempt(subject: LockSubject, nowSeconds: number): Promise<void>;
  /** Deletes the subject's counters after a successful authentication. */
  clear(subject: LockSubject): Promise<void>;
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

/** True when the subject has counters worth deleting after a success. */
export function hasFailures(state: LockState | undefined): boolean {
  return state !== undefined && (state.failures > 0 || state.lockouts > 0 || state.lockedUntil > 0);
}

/** Returns the duration of the lock that follows `previousLockouts` earlier ones: doubling, capped. */
export function lockDurationSeconds(policy: LockoutPolicy, previousLockouts: number): number {
  const doublings = Math.min(previousLockouts, 30);
  return Math.min(policy.lockSeconds * 2 ** doublings, policy.maxLockSeconds);
}

export const isLockoutEnabled = (policy: LockoutPolicy): boolean => policy.maxFailures > 0;

/** Reads a user record together with the counters of its username. */
export interface UserLockReader {
  findUserWithLock(username: string, nowSeconds: number): Promise<{ readonly user: User | undefined; readonly lock: LockState | undefined }>;
}

/** What the password grant needs for brute-force protection. */
export interface UserLockoutDependencies {
  readonly store: LockoutStore & UserLockReader;
  readonly policy: LockoutPolicy;
  readonly onLocked: LockoutListener;
}

/**
 * Brute-force protection of client secrets, kept next to the client cache so that a warm
 * function needs no store read to know whether a client is locked.
 */
export interface ClientSecretLockout {
  /** True when the client is locked, as far as this process knows (see the implementation for the bound). */
  isLocked(clientId: string): boolean;
  /** Counts a wrong secret, or an attempt while locked. */
  recordFailure(clientId: string): Promise<void>;
  /** Clears the counters after a correct secret when this process knows of earlier failures. */
  recordSuccess(clientId: string): Promise<void>;
}
