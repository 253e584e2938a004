import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuthConfig } from '../config/config.js';
import type { KeyProvider, RefreshTokenKeyProvider } from '../keys/key-provider.js';
import { StoreKeyProvider } from '../keys/store-key-provider.js';
import { createLogger } from '../log/logger.js';
import type { UserLockoutDependencies } from '../oauth/lockout.js';
import { LockingClientRepository } from '../security/locking-client-repository.js';
import { createLockoutListener } from '../security/lockout-listener.js';
import { createAwsKeyProvider } from '../keys/secrets-manager-keys.js';
import { ClientRepository } from '../store/client-repository.js';
import { DenyListRepository } from '../store/deny-list-repository.js';
import { createDocumentClient } from '../store/dynamo.js';
import { FamilyRepository } from '../store/family-repository.js';
import { LockoutRepository } from '../store/lockout-repository.js';
import { UserRepository } from '../store/user-repository.js';

/** Extra time a replaced signing key stays published beyond the access-token lifetime, for clock skew. */
export const KEY_RETIREMENT_MARGIN_SECONDS = 300;

/** Everything the endpoints need, built once per process (Lambda container or local server). */
export interface Dependencies {
  readonly config: AuthConfig;
  readonly db: DynamoDBDocumentClient;
  readonly clients: ClientRepository;
  readonly users: UserRepository;
  readonly families: FamilyRepository;
  readonly denyList: DenyListRepository;
  /** Brute-force protection of the password grant; client secrets are covered by `clients`. */
  readonly lockout: UserLockoutDependencies;
  readonly keys: KeyProvider;
  readonly refreshKeys: RefreshTokenKeyProvider;
  readonly now: () => number;
}

export interface DependencyOverrides {
  readonly db?: DynamoDBDocumentClient;
  readonly keys?: KeyProvider & RefreshTokenKeyProvider;
  readonly now?: () => number;
}

export function createStoreKeyProvider(
  db: DynamoDBDocumentClient,
  config: AuthConfig,
  now: () => number = Date.now,
): StoreKeyProvider {
  return new StoreKeyProvider(db, {
    tableName: config.tableName,
    algorithm: config.signingAlgorithm,
    cacheSeconds: config.keyCacheSeconds,
    retiredKeyLifetimeSeconds: config.accessTokenTtlSeconds + KEY_RETIREMENT_MARGIN_SECONDS,
    now,
  });
}

export function createDependencies(config: AuthConfig, overrides: DependencyOverrides = {}): Dependencies {
  const now = overrides.now ?? Date.now;
  const db = overrides.db ?? createDocumentClient({ endpoint: config.dynamoDbEndpoint });
  // Deployed functions (KEY_SOURCE=aws or a key secret ARN set) use Secrets Manager and the
  // published JWKS; everything else keeps keys in the table.
  const keys = overrides.keys ?? createAwsKeyProvider(process.env, db, config, now) ?? createStoreKeyProvider(db, config, now);
  const lockoutStore = new LockoutRepository(db, config.tableName);
  const onLocked = createLockoutListener(createLogger('lockout'));
  return {
    config,
    db,
    clients: new LockingClientRepository(db, config.tableName, config.clientCacheSeconds, now, {
      store: lockoutStore,
      policy: config.clientLockout,
      onLocked,
    }),
    users: new UserRepository(db, config.tableName),
    families: new FamilyRepository(db, config.tableName),
    denyList: new DenyListRepository(db, config.tableName),
    lockout: { store: lockoutStore, policy: config.userLockout, onLocked },
    keys,
    refreshKeys: keys,
    now,
  };
}
