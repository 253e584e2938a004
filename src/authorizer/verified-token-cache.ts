import type { VerificationKey } from '../keys/key-provider.js';
import type { AccessTokenClaims } from './claims.js';

/** A token that passed every check that depends only on the token and the key. */
export interface VerifiedEntry {
  readonly claims: AccessTokenClaims;
  readonly key: VerificationKey;
}

/**
 * Verified tokens keyed by the full token string, at most `maxEntries` of them. When full,
 * the least recently used entry is dropped.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedEntry>();

  constructor(private readonly maxEntries: number) {}

  /** Returns the entry for `token`, dropping it instead when its `exp` is at or before `cutoffSeconds`. */
  get(token: string, cutoffSeconds: number): VerifiedEntry | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (entry.claims.exp <= cutoffSeconds) return undefined;
    // Re-inserting keeps the Map's insertion order equal to recency of use.
    this.entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: VerifiedEntry): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(token);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(token, entry);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
