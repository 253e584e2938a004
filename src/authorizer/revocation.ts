import type { DenyListEntry } from '../store/deny-list-repository.js';
import { MAX_CLOCK_TOLERANCE_SECONDS } from '../oauth/clock-tolerance.js';
import type { AccessTokenClaims } from './claims.js';
import { TokenRejectedError } from './rejection.js';

/** The deny-list read the authorizer needs; `DenyListRepository` implements it. */
export interface DenyListReader {
  findDenied(entries: readonly DenyListEntry[], nowSeconds: number): Promise<DenyListEntry[]>;
}

export interface RevocationCheckerOptions {
  /** How long a "not revoked" result is reused, in seconds. */
  readonly cacheSeconds: number;
  /** Allow the token when the deny-list cannot be read; the default rejects it. */
  readonly failOpen: boolean;
  /** Maximum number of cached results. */
  readonly maxEntries: number;
  readonly now: () => number;
  /** Called when the deny-list read fails, with the error and whether the token was let through. */
  readonly onStoreError: (error: unknown, claims: AccessTokenClaims, allowed: boolean) => void;
}

interface CachedResult {
  readonly revoked: boolean;
  /** Epoch milliseconds after which the result is read again. */
  readonly until: number;
}

/**
 * Checks a token's `jti` and, when present, its `sid` (refresh-token family) against the
 * deny-list, in one strongly consistent read. A "revoked" result is kept until the token
 * expires, because revocation is final. A "not revoked" result is kept for `cacheSeconds`,
 * which bounds how long a revoked token can still pass.
 */
export class RevocationChecker {
  private readonly results = new Map<string, CachedResult>();

  constructor(
    private readonly denyList: DenyListReader,
    private readonly options: RevocationCheckerOptions,
  ) {}

  /** Throws a `TokenRejectedError` when the token is revoked or, failing closed, when the deny-list cannot be read. */
  async check(claims: AccessTokenClaims): Promise<void> {
    const nowMs = this.options.now();
    const cacheKey = claims.sid === undefined ? claims.jti : `${claims.jti} ${claims.sid}`;
    const cached = this.results.get(cacheKey);
    if (cached !== undefined && cached.until > nowMs) {
      if (cached.revoked) throw new TokenRejectedError('revoked', 'cached deny-list result');
      return;
    }

    const entries: DenyListEntry[] = [{ kind: 'jti', id: claims.jti }];
    if (claims.sid !== undefined) entries.push({ kind: 'sid', id: claims.sid });

    let denied: DenyListEntry[];
    try {
      denied = await this.denyList.findDenied(entries, Math.floor(nowMs / 1000));
    } catch (error) {
      this.options.onStoreError(error, claims, this.options.failOpen);
      if (this.options.failOpen) return;
      throw new TokenRejectedError('revocation_check_failed', 'the deny-list could not be read', { cause: error });
    }

    const revoked = denied.length > 0;
    // A revoked token stays rejected while the verifier's clock tolerance could still accept it.
    const until = revoked ? (claims.exp + MAX_CLOCK_TOLERANCE_SECONDS) * 1000 : nowMs + this.options.cacheSeconds * 1000;
    this.remember(cacheKey, { revoked, until });
    if (revoked) throw new TokenRejectedError('revoked', `deny-list entry ${denied.map((entry) => entry.kind).join(', ')}`);
  }

  private remember(cacheKey: string, result: CachedResult): void {
    if (this.options.cacheSeconds === 0 && !result.revoked) return;
    this.results.delete(cacheKey);
    while (this.results.size >= this.options.maxEntries) {
      const oldest = this.results.keys().next();
      if (oldest.done === true) break;
      this.results.delete(oldest.value);
    }
    this.results.set(cacheKey, result);
  }
}
