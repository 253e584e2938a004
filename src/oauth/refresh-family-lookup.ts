import type { Client, RefreshFamily } from './model.js';
import { parseRefreshToken, refreshSecretMatches, type RefreshTokenParts } from './refresh-token.js';

/** Reads family records; the refresh grant, revocation and introspection share it. */
export interface FamilyReader {
  find(familyId: string): Promise<RefreshFamily | undefined>;
}

/** A presented refresh token whose secret was issued by this server, with its family record. */
export interface PresentedRefreshToken {
  readonly parts: RefreshTokenParts;
  readonly family: RefreshFamily;
}

/**
 * Finds the family of a presented refresh token and checks the token's secret in constant
 * time. Returns undefined for a malformed token, an unknown family, a wrong secret, or a
 * generation the family has not reached. Such a token proves nothing, so callers must not
 * change any state because of it. Expiry and revocation are left to {@link familyState}.
 */
export async function findRefreshTokenFamily(
  token: string,
  families: FamilyReader,
  refreshKey: Buffer,
): Promise<PresentedRefreshToken | undefined> {
  const parts = parseRefreshToken(token);
  if (parts === undefined) return undefined;
  const family = await families.find(parts.familyId);
  if (family === undefined) return undefined;
  if (!refreshSecretMatches(refreshKey, parts, family.seed)) return undefined;
  // A valid secret for a generation beyond the current one cannot come from this server,
  // because the generation is stored before its token is returned.
  if (parts.generation > family.generation) return undefined;
  return { parts, family };
}

/**
 * True when the family was issued to this client registration: the same `client_id` and,
 * for families that recorded it, the same registration. A client deleted and registered
 * again under its id therefore cannot use the old registration's refresh tokens.
 */
export function familyBelongsTo(family: RefreshFamily, client: Client): boolean {
  if (family.clientId !== client.clientId) return false;
  return family.clientInstanceId === undefined || family.clientInstanceId === client.instanceId;
}

export type FamilyState = 'active' | 'revoked' | 'expired' | 'idle';

/**
 * Classifies a family at `nowSeconds`. `expiresAt` is checked here because DynamoDB TTL
 * deletes expired items only eventually. `idleSeconds` of 0 disables the idle timeout.
 */
export function familyState(family: RefreshFamily, nowSeconds: number, idleSeconds: number): FamilyState {
  if (family.revokedAt !== undefined) return 'revoked';
  if (family.expiresAt <= nowSeconds) return 'expired';
  if (idleSeconds > 0 && family.lastUsedAt + idleSeconds <= nowSeconds) return 'idle';
  return 'active';
}

/** Returns the time after which the family's current refresh token stops working, idle timeout included. */
export function familyDeadline(family: RefreshFamily, idleSeconds: number): number {
  return idleSeconds > 0 ? Math.min(family.expiresAt, family.lastUsedAt + idleSeconds) : family.expiresAt;
}
