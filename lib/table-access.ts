/**
 * Least-privilege DynamoDB statements for the single table. Each statement names the item
 * operations a function uses and, through `dynamodb:LeadingKeys`, the partition-key prefixes
 * of the item types it may touch. Only single-item and batch-get operations are granted,
 * because Query and Scan could reach across item types. No function deletes items.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { PUBLISHED_JWKS_PARTITION } from '../src/keys/published-jwks.js';
import { clientKey, denyKey, familyKey, lockKey, userKey } from '../src/store/table.js';

/** Partition-key patterns of each item type, derived from the key builders of the table layout. */
export const ITEM_PATTERNS = {
  client: clientKey('*').pk,
  user: userKey('*').pk,
  family: familyKey('*').pk,
  deny: `${denyKey('jti', '*').pk.split('#')[0]}#*`,
  lock: `${lockKey('user', '*').pk.split('#')[0]}#*`,
  publishedJwks: PUBLISHED_JWKS_PARTITION,
} as const;

export type ItemType = keyof typeof ITEM_PATTERNS;

export type ItemAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** Allows `actions` on the items of `itemTypes` in `table`, and nothing else. */
export function itemAccess(table: dynamodb.ITable, actions: readonly ItemAction[], itemTypes: readonly ItemType[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: actions.map((action) => `dynamodb:${action}`),
    resources: [table.tableArn],
    conditions: {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': itemTypes.map((type) => ITEM_PATTERNS[type]) },
    },
  });
}
