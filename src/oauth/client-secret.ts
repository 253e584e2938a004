import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are stored as `hmac-sha256$<salt>$<digest>` (base64url). A fast keyed hash is
 * adequate because generated secrets carry 256 bits of entropy, so guessing is hopeless
 * whatever the hash cost. User-chosen secrets should be long for the same reason.
 */

const PREFIX = 'hmac-sha256';

/** Generates a client secret with 256 bits of entropy. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashClientSecret(secret: string): string {
  const salt = randomBytes(16);
  const digest = createHmac('sha256', salt).update(secret, 'utf8').digest();
  return `${PREFIX}$${salt.toString('base64url')}$${digest.toString('base64url')}`;
}

const DUMMY_HASH = hashClientSecret(randomBytes(32).toString('base64url'));

/**
 * Checks a presented secret in constant time. Pass `undefined` as the stored hash for an
 * unknown client: the same work is done against a dummy hash and the result is false.
 */
export function verifyClientSecret(secret: string, storedHash: string | undefined): boolean {
  const parts = (storedHash ?? DUMMY_HASH).split('$');
  if (parts.length !== 3 || parts[0] !== PREFIX) return false;
  const salt = Buffer.from(parts[1] ?? '', 'base64url');
  const expected = Buffer.from(parts[2] ?? '', 'base64url');
  const actual = createHmac('sha256', salt).update(secret, 'utf8').digest();
  const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
  return storedHash !== undefined && equal;
}
