import { createHash } from 'node:crypto';

/**
 * Returns how logs refer to a presented name that may not exist: a truncated SHA-256, so a
 * secret or password typed into a name field never reaches the logs, while repeated
 * attempts with the same name still correlate.
 */
export function hashedReference(kind: string, value: string): string {
  return `${kind}-sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16)}`;
}
