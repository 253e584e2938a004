/** Records the OAuth core works with, independent of how they are stored. */

export const GRANT_TYPES = ['client_credentials', 'password', 'refresh_token'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value);
}

export interface Client {
  readonly clientId: string;
  /** Hash of the client secret; absent for a public client. */
  readonly secretHash?: string | undefined;
  readonly grantTypes: readonly GrantType[];
  /** Scopes the client may request; also its default scope when a request names none. */
  readonly scopes: readonly string[];
  /** `aud` of its access tokens; absent means the server's default audience. */
  readonly audience?: string | undefined;
  readonly createdAt: number;
  /**
   * Random id of this registration, set when the client is stored. Refresh-token families
   * record it, so a family of a deleted client does not pass to a new client registered
   * later under the same `client_id`.
   */
  readonly instanceId?: string | undefined;
}

export const isPublicClient = (client: Client): boolean => client.secretHash === undefined;

export interface User {
  readonly username: string;
  /** Stable subject identifier used as the `sub` claim. */
  readonly sub: string;
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly createdAt: number;
}

/** A refresh-token family: one login, rotated on every refresh. */
export interface RefreshFamily {
  readonly familyId: string;
  readonly clientId: string;
  /** `instanceId` of the client registration the family was issued to; absent in families stored before it existed. */
  readonly clientInstanceId?: string | undefined;
  readonly sub: string;
  readonly username?: string | undefined;
  readonly scope: string;
  readonly audience: string;
  /** Generation of the refresh token that is currently valid, starting at 1. */
  readonly generation: number;
  /** Random per-family input to the refresh-token derivation (base64url). */
  readonly seed: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** When the previous generation was rotated out, for the reuse grace window. */
  readonly rotatedAt?: number | undefined;
  /** Absolute expiry in epoch seconds (also the TTL attribute). */
  readonly expiresAt: number;
  readonly revokedAt?: number | undefined;
  readonly revokedReason?: string | undefined;
}
