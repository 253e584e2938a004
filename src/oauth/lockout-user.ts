import { createHash, randomBytes } from 'node:crypto';
import type { ScryptParameters } from '../config/config.js';
import { invalidGrant, type OAuthError } from './errors.js';
import { isLockoutEnabled, judgeAttempt, lockIfDue, type LockState, type UserLockoutDependencies } from './lockout.js';
import type { User } from './model.js';
import { verifyDummyPassword, verifyPassword } from './password-hash.js';

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

/** Returns how logs refer to a username: the user's `sub` when it exists, else a hash, so a password typed into the username field is never logged. */
function subjectRef(username: string, user: User | undefined): string {
  if (user !== undefined) return user.sub;
  return `username-sha256:${createHash('sha256').update(username, 'utf8').digest('hex').slice(0, 16)}`;
}

/**
 * Runs scrypt at the cost of checking `storedHash` but with a random salt, so an attempt
 * rejected without a check takes as long as a check and learns nothing about the password.
 */
async function burnPasswordHash(password: string, storedHash: string, current: ScryptParameters): Promise<void> {
  const parts = storedHash.split('$');
  const salt = parts[3];
  if (parts.length !== 5 || salt === undefined) {
    await verifyDummyPassword(password, current);
    return;
  }
  parts[3] = randomBytes(Buffer.from(salt, 'base64url').length).toString('base64url');
  await verifyPassword(password, parts.join('$'), current);
}

/**
 * Checks a username and password with brute-force protection (RFC 6749 section 4.3 and
 * RFC 9700 section 4.3.1 call for it on the password grant).
 *
 * Each attempt is counted as a failure before the password is checked: one `UpdateItem`
 * on the user item adds 1 to `failures` and returns the user with the new count. Only an
 * attempt whose count is within the policy's maximum checks the password, so a burst of
 * parallel requests gets no more checks than sequential ones. A correct password resets
 * the count with a conditional write that leaves a lock set meanwhile in place.
 *
 * Unknown user, wrong password, disabled user, locked user and attempts over the limit
 * each cost one store round trip before one scrypt hash, and end in the same
 * `invalid_grant`, so neither the response nor its timing distinguishes them.
 */
export async function authenticateUser(
  deps: UserAuthenticationDependencies,
  username: string,
  password: string,
  nowSeconds: number,
): Promise<AuthenticatedUser> {
  const { store, policy } = deps.lockout;
  const { scrypt } = deps.config;
  if (!isLockoutEnabled(policy)) return authenticateWithoutLockout(deps, username, password);

  const attempt = await store.reserveUserAttempt(username, policy, nowSeconds);
  if (attempt === undefined) {
    // The unknown username's lock item is written while the dummy hash runs, so this path
    // takes as long as a known user's: one round trip, then the hash.
    const [counted] = await Promise.all([store.countAttempt({ kind: 'user', id: username }, policy, nowSeconds), verifyDummyPassword(password, scrypt)]);
    const ref = subjectRef(username, undefined);
    throw rejection('unknown user', ref, await lockIfDue(deps.lockout, counted, ref, nowSeconds));
  }

  const { user, state } = attempt;
  const ref = subjectRef(username, user);
  const verdict = judgeAttempt(state, policy, nowSeconds);
  if (verdict !== 'check') {
    await burnPasswordHash(password, user.passwordHash, scrypt);
    throw rejection(verdict, ref, await lockIfDue(deps.lockout, attempt, ref, nowSeconds));
  }

  const check = await verifyPassword(password, user.passwordHash, scrypt);
  if (check.valid && !user.disabled) {
    await store.releaseUserAttempt(attempt);
    return { user, needsRehash: check.needsRehash };
  }
  throw rejection(check.valid ? 'disabled' : 'wrong password', ref, await lockIfDue(deps.lockout, attempt, ref, nowSeconds));
}

/** Checks a password with nothing counted: one read and one hash for every outcome. */
async function authenticateWithoutLockout(deps: UserAuthenticationDependencies, username: string, password: string): Promise<AuthenticatedUser> {
  const user = await deps.lockout.store.findUser(username);
  if (user === undefined) {
    await verifyDummyPassword(password, deps.config.scrypt);
    throw rejection('unknown user', subjectRef(username, undefined), undefined);
  }
  const check = await verifyPassword(password, user.passwordHash, deps.config.scrypt);
  if (!check.valid || user.disabled) throw rejection(check.valid ? 'disabled' : 'wrong password', user.sub, undefined);
  return { user, needsRehash: check.needsRehash };
}

type Rejection = 'unknown user' | 'wrong password' | 'disabled' | 'locked' | 'over limit';

/** Builds the `invalid_grant` of every rejection; the reason and the lock go only into the logged detail. */
function rejection(reason: Rejection, ref: string, locked: LockState | undefined): OAuthError {
  const lockNote = locked === undefined ? '' : `; locked until ${locked.lockedUntil}`;
  return invalidGrant(INVALID_CREDENTIALS, `${reason}: ${ref}${lockNote}`);
}
