import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config/config.js';
import type { Env } from '../config/env.js';
import type { VerificationKeySource } from '../keys/key-provider.js';
import { createLogger } from '../log/logger.js';
import { DenyListRepository } from '../store/deny-list-repository.js';
import { createDocumentClient } from '../store/dynamo.js';
import { Authorizer } from './authorizer.js';
import { loadAuthorizerConfig, type AuthorizerConfig } from './config.js';
import { createAuthorizerHandler, type AuthorizerHandler } from './handler.js';
import type { DenyListReader } from './revocation.js';
import { StoreVerificationKeys } from './store-verification-keys.js';

export interface AuthorizerOverrides {
  readonly config?: AuthorizerConfig;
  readonly db?: DynamoDBDocumentClient;
  /** The key source; the default reads the public keys the local key provider keeps in the table. */
  readonly keys?: VerificationKeySource;
  readonly denyList?: DenyListReader;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Builds the authorizer handler and everything it uses (configuration, key source,
 * deny-list reader, caches) once, at cold start. Throws a `TypeError` on invalid settings.
 * With warm caches a request reads nothing from the store.
 */
export function createAuthorizerFromEnv(env: Env = process.env, overrides: AuthorizerOverrides = {}): AuthorizerHandler {
  const base = loadConfig(env);
  const config = overrides.config ?? loadAuthorizerConfig(env, base);
  const db = overrides.db ?? createDocumentClient({ endpoint: base.dynamoDbEndpoint });
  const logger = overrides.logger ?? createLogger('authorizer');
  // TODO: the deployed stack keeps keys in Secrets Manager, not in the table; pass its
  // public-key source here as `keys` once it exists.
  const keys = overrides.keys ?? new StoreVerificationKeys(db, { tableName: base.tableName, cacheSeconds: base.keyCacheSeconds, now: overrides.now });

  const authorizer = new Authorizer({
    config,
    keys,
    denyList: overrides.denyList ?? new DenyListRepository(db, base.tableName),
    now: overrides.now,
    onRevocationStoreError: (error, details) => {
      logger.error('deny-list read failed', { ...details, reason: 'revocation_check_failed', error });
    },
  });
  return createAuthorizerHandler({ authorizer, logger, httpApiSimpleResponses: config.httpApiSimpleResponses });
}
