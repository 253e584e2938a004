import { createHash } from 'node:crypto';
import type { ScryptParameters } from '../config/config.js';
import { invalidGrant } from './errors.js';
import { hasFailures, isLocked, isLockoutEnabled, type LockSubject, type UserLockoutDependencies } from './lockout.js';
import type { User } from './model.js';
import { verifyDummyPassword, verifyPassword, type PasswordCheck } from './password-hash.js';

/** The one `error_description` of every rejected username and password. */
export const INVALID_CREDENTIALS = 'the username or password is incorrect';

export interface AuthenticatedUser {
  readonly user: User;
  /** True when the stored hash uses weaker scrypt parameters than the current ones. */
  readonly needsRehash: boolean;
}

export interface UserAuthenticationDependencies {
  readonly config: { readonly scrypt: ScryptParameters };
  readonly lockout: UserLockoutDependencies;
}

type Rejection = 'unknown user' | 'locked' | 'wrong password' | 'disabled';

/** Returns how logs refer to a username: the user's `sub` when it exists, else a hash, so a password typed into the username field is never logged. */
function subjectRef(username: string, user: User | undefined): string {
  if (user !== undefined) return user.sub;
  return `username-sha256:${createHash('sha256').update(username, 'utf8').digest('hex').slice(0, 16)}`;
}

/**
 * Checks a username and password with brute-force protection (RFC 6749 section 4.3 and
 * RFC 9700 section 4.3.1 call for it on the password grant).
 *
 * Unknown user, wrong password, disabled user and locked user each cost one store read, one
 * scrypt hash and one store write, and end in the same `invalid_grant`, so neither the
 * response nor its timing distinguishes them. A locked user is rejected even with the right
 * password. Success deletes the username's counters when it has any.
 */
export async function authenticateUser(
  deps: UserAuthenticationDependencies,
  username: string,
  password: string,
  nowSeconds: number,
): Promise<AuthenticatedUser> {
  const { store, policy } = deps.lockout;
  const enabled = isLockoutEnabled(policy);
  const subject: LockSubject = { kind: 'user', id: username };

  const { user, lock } = await store.findUserWithLock(username, nowSeconds);
  const locked = enabled && isLocked(lock, nowSeconds);
  let check: PasswordCheck = { valid: false, needsRehash: false };
  if (user === undefined) await verifyDummyPassword(password, deps.config.scrypt);
  else check = await verifyPassword(password, user.passwordHash, deps.config.scrypt);

  let rejection: Rejection | undefined;
  if (user === undefined) rejection = 'unknown user';
  else if (locked) rejection = 'locked';
  else if (!check.valid) rejection = 'wrong password';
  else if (user.disabled) rejection = 'disabled';

  if (user !== undefined && rejection === undefined) {
    if (enabled && hasFailures(lock)) await store.clear(subject);
    return { user, needsRehash: check.needsRehash };
  }

  const ref = subjectRef(username, user);
  let lockNote = '';
  if (enabled && locked) {
    await store.recordLockedAttempt(subject, nowSeconds);
  } else if (enabled) {
    const outcome = await store.recordFailure(subject, policy, nowSeconds);
    if (outcome.lockedNow) {
      deps.lockout.onLocked({
        kind: 'user',
        subjectRef: ref,
        failures: policy.maxFailures,
        lockedUntil: outcome.state.lockedUntil,
        lockouts: outcome.state.lockouts,
      });
      lockNote = `; locked until ${outcome.state.lockedUntil}`;
    }
  }
  throw invalidGrant(INVALID_CREDENTIALS, `${rejection ?? 'rejected'}: ${ref}${lockNote}`);
}
