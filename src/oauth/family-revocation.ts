/**
 * Revokes refresh-token families together with the access tokens issued from them.
 *
 * Access tokens issued from a family carry its id as `sid`. Revoking a family therefore
 * writes a deny-list entry for that `sid` that lives as long as the longest-lived of those
 * access tokens, and then marks the family record revoked.
 */

import { MAX_CLOCK_TOLERANCE_SECONDS } from './clock-tolerance.js';

/**
 * Extra life of a `sid` deny-list entry beyond the access-token lifetime, in seconds: a
 * verifier may accept a token up to its clock tolerance past `exp`.
 */
export const SID_DENY_MARGIN_SECONDS = MAX_CLOCK_TOLERANCE_SECONDS;

/** The deny-list as family revocation needs it: one entry per access token (`jti`) or per family (`sid`). */
export interface DenyListWriter {
  add(entry: { kind: 'jti' | 'sid'; id: string }, expiresAt: number, reason: string, nowSeconds: number): Promise<void>;
}

/** The family store operations revocation uses. */
export interface FamilyRevocationStore {
  markRevoked(familyId: string, reason: string, nowSeconds: number): Promise<boolean>;
  listIdsBySubject(sub: string): Promise<string[]>;
}

export interface FamilyRevocationDependencies {
  readonly families: FamilyRevocationStore;
  readonly denyList: DenyListWriter;
  readonly config: { readonly accessTokenTtlSeconds: number };
}

/** Reason codes stored with a revoked family and its deny-list entry. */
export type FamilyRevocationReason = 'refresh_token_reuse' | 'revoked_by_client' | 'user_disabled';

/**
 * Revokes one family and the access tokens issued from it. Returns true when this call
 * revoked the family, false when it was already revoked or does not exist. Safe to repeat.
 *
 * The deny-list entry is written first. If the second write fails, the family still looks
 * active, so a retry of the same request repeats both writes. The reverse order could leave
 * a revoked family whose access tokens stay accepted.
 *
 * The entry lives for the access-token lifetime plus {@link SID_DENY_MARGIN_SECONDS}. The
 * margin covers access tokens signed by requests that read the family just before it was
 * revoked and finished just after.
 *
 * @example
 * await revokeFamily(deps, familyId, 'revoked_by_client', Math.floor(Date.now() / 1000));
 */
export async function revokeFamily(
  deps: FamilyRevocationDependencies,
  familyId: string,
  reason: FamilyRevocationReason,
  nowSeconds: number,
): Promise<boolean> {
  const denyUntil = nowSeconds + deps.config.accessTokenTtlSeconds + SID_DENY_MARGIN_SECONDS;
  await deps.denyList.add({ kind: 'sid', id: familyId }, denyUntil, reason, nowSeconds);
  return deps.families.markRevoked(familyId, reason, nowSeconds);
}

/**
 * Revokes every refresh-token family of a user (found through the `bySubject` index) and
 * the access tokens issued from them. Returns the number of families this call revoked.
 *
 * > [!NOTE]
 * > The index is eventually consistent, so a family created at the same moment may be
 * > missed. A disabled user still cannot refresh, because the refresh grant checks the user.
 *
 * @example
 * const user = await deps.users.disable(username);
 * if (user !== undefined) await revokeFamiliesOfSubject(deps, user.sub, Math.floor(Date.now() / 1000));
 */
export async function revokeFamiliesOfSubject(
  deps: FamilyRevocationDependencies,
  sub: string,
  nowSeconds: number,
  reason: FamilyRevocationReason = 'user_disabled',
): Promise<number> {
  const familyIds = await deps.families.listIdsBySubject(sub);
  let revoked = 0;
  for (const familyId of familyIds) {
    if (await revokeFamily(deps, familyId, reason, nowSeconds)) revoked += 1;
  }
  return revoked;
}
