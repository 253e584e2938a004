import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig, type AuthConfig } from '../config/config.js';
import { readString, type Env } from '../config/env.js';
import type { VerificationKeySource } from '../keys/key-provider.js';
import { PublishedJwksKeySource, PublishedJwksStore } from '../keys/published-jwks.js';
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
  /** The key source; the default follows `KEY_SOURCE` (see {@link createVerificationKeys}). */
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
  const keys = overrides.keys ?? createVerificationKeys(env, db, base, overrides.now);

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

/**
 * Creates the public-key source `KEY_SOURCE` selects: `aws` reads the JWKS item the
 * key-rotation function publishes, `store` (the default) the key items the local key provider
 * keeps in the table. Neither reads a private key. Throws a `TypeError` on any other value.
 */
export function createVerificationKeys(env: Env, db: DynamoDBDocumentClient, base: AuthConfig, now?: () => number): VerificationKeySource {
  const source = readString(env, 'KEY_SOURCE', 'store');
  if (source === 'aws') {
    return new PublishedJwksKeySource(new PublishedJwksStore(db, base.tableName), { cacheSeconds: base.keyCacheSeconds, now });
  }
  if (source === 'store') return new StoreVerificationKeys(db, { tableName: base.tableName, cacheSeconds: base.keyCacheSeconds, now });
  throw new TypeError(`environment variable KEY_SOURCE must be "store" or "aws", got "${source}"`);
}
