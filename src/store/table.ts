/**
 * Single-table layout. Every item has a string partition key `pk` and sort key `sk`;
 * items that expire carry `expiresAt` (epoch seconds), the table's TTL attribute.
 * DynamoDB deletes expired items lazily (typically within days), so every read checks
 * `expiresAt` itself.
 *
 * | item                 | pk                      | sk           |
 * | -------------------- | ----------------------- | ------------ |
 * | client               | `CLIENT#<client_id>`    | `CLIENT`     |
 * | user                 | `USER#<username>`       | `USER`       |
 * | refresh-token family | `FAMILY#<family id>`    | `FAMILY`     |
 * | deny-list entry      | `DENY#<kind>:<id>`      | `DENY`       |
 * | lockout counters     | `LOCK#<kind>:<id>`      | `LOCK`       |
 * | signing key (local)  | `KEYS`                  | `KEY#<kid>`  |
 * | server secret (local)| `SECRETS`               | `<name>`     |
 *
 * Family items also carry `subject` (the user's `sub`), the partition key of the sparse
 * global secondary index {@link SUBJECT_INDEX}, so a user's families can be listed.
 */

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const TTL_ATTRIBUTE = 'expiresAt';
export const SUBJECT_INDEX = 'bySubject';
export const SUBJECT_ATTRIBUTE = 'subject';

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const clientKey = (clientId: string): ItemKey => ({ pk: `CLIENT#${clientId}`, sk: 'CLIENT' });
export const userKey = (username: string): ItemKey => ({ pk: `USER#${username}`, sk: 'USER' });
export const familyKey = (familyId: string): ItemKey => ({ pk: `FAMILY#${familyId}`, sk: 'FAMILY' });
/** Kinds of deny-list entries: a single access token (`jti`) or every token of a refresh-token family (`sid`). */
export type DenyKind = 'jti' | 'sid';
export const denyKey = (kind: DenyKind, id: string): ItemKey => ({ pk: `DENY#${kind}:${id}`, sk: 'DENY' });
/** Lockout counters of an unknown username or a client id; an existing user's counters are on the user item (`src/oauth/lockout.ts`). */
export const lockKey = (kind: 'user' | 'client', id: string): ItemKey => ({ pk: `LOCK#${kind}:${id}`, sk: 'LOCK' });
export const KEYS_PARTITION = 'KEYS';
export const signingKeyKey = (kid: string): ItemKey => ({ pk: KEYS_PARTITION, sk: `KEY#${kid}` });
export const secretKey = (name: string): ItemKey => ({ pk: 'SECRETS', sk: name });

/** True when an item with a TTL attribute has passed it, whether or not DynamoDB has deleted it yet. */
export function isExpired(item: { expiresAt?: unknown }, nowSeconds: number): boolean {
  return typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds;
}
