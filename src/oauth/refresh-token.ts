import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Refresh-token format: `rt1.<family id>.<generation>.<secret>`.
 *
 * The secret is HMAC-SHA256(server key, `<family id>.<generation>.<family seed>`), so it has
 * 256 bits of output and cannot be computed without both the server-held key and the
 * per-family random seed stored in the family record. Nothing derived from the token itself
 * is stored, yet the server can produce any generation's token again (the reuse grace window
 * returns the same successor to a retried request).
 */

const PREFIX = 'rt1';
const ID = /^[A-Za-z0-9_-]{22}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const GENERATION = /^[1-9]\d{0,8}$/;

export interface RefreshTokenParts {
  readonly familyId: string;
  readonly generation: number;
  readonly secret: string;
}

/** Creates a new family id (128 random bits). */
export const newFamilyId = (): string => randomBytes(16).toString('base64url');

/** Creates a new family seed (256 random bits). */
export const newFamilySeed = (): string => randomBytes(32).toString('base64url');

export function deriveRefreshSecret(key: Buffer, familyId: string, generation: number, seed: string): string {
  return createHmac('sha256', key).update(`${familyId}.${generation}.${seed}`).digest('base64url');
}

export function formatRefreshToken(familyId: string, generation: number, secret: string): string {
  return `${PREFIX}.${familyId}.${generation}.${secret}`;
}

export function buildRefreshToken(key: Buffer, familyId: string, generation: number, seed: string): string {
  return formatRefreshToken(familyId, generation, deriveRefreshSecret(key, familyId, generation, seed));
}

/** Splits a presented token into its parts; returns undefined for anything not in the format. */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  if (token.length > 100) return undefined;
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const [, familyId = '', generation = '', secret = ''] = parts;
  if (!ID.test(familyId) || !GENERATION.test(generation) || !SECRET.test(secret)) return undefined;
  return { familyId, generation: Number(generation), secret };
}

/** Checks a presented secret against the derived one in constant time. */
export function refreshSecretMatches(key: Buffer, parts: RefreshTokenParts, seed: string): boolean {
  const expected = Buffer.from(deriveRefreshSecret(key, parts.familyId, parts.generation, seed), 'base64url');
  const actual = Buffer.from(parts.secret, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
