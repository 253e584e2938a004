/**
 * Key sources of a deployed function: signing keys from the signing-key secret, the
 * refresh-token key from its own secret, and verification keys from the JWKS item that the
 * key-rotation function publishes in the table. Each function gets only the parts its IAM
 * role allows; using a part that is not configured throws.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuthConfig } from '../config/config.js';
import { readOptionalString, readString, type Env } from '../config/env.js';
import type { KeyProvider, RefreshTokenKeyProvider, SigningKey, VerificationKey, VerificationKeySource } from './key-provider.js';
import { PublishedJwksKeySource, PublishedJwksStore } from './published-jwks.js';
import { retiredKeyLifetimeSeconds } from './rotation.js';
import { SecretsManagerKeyProvider } from './secrets-manager-key-provider.js';
import { SecretsManagerRefreshTokenKeyProvider } from './secrets-manager-refresh-key.js';

/** Environment variables that select and configure the deployed key sources. */
export const KEY_SOURCE_ENV = {
  /** `store` (keys in the table, local use) or `aws`; defaults to `aws` when either ARN below is set. */
  source: 'KEY_SOURCE',
  signingKeySecretArn: 'SIGNING_KEY_SECRET_ARN',
  refreshTokenKeySecretArn: 'REFRESH_TOKEN_KEY_SECRET_ARN',
} as const;

/** Combines the deployed key sources behind the interfaces the endpoints use. */
export class AwsKeyProvider implements KeyProvider, RefreshTokenKeyProvider {
  constructor(
    private readonly verification: VerificationKeySource,
    private readonly signing: KeyProvider | undefined,
    private readonly refresh: RefreshTokenKeyProvider | undefined,
  ) {}

  getSigningKey(): Promise<SigningKey> {
    if (this.signing === undefined) {
      return Promise.reject(new Error(`this function cannot sign tokens: ${KEY_SOURCE_ENV.signingKeySecretArn} is not set`));
    }
    return this.signing.getSigningKey();
  }

  getVerificationKeys(): Promise<readonly VerificationKey[]> {
    return this.verification.getVerificationKeys();
  }

  invalidate(): void {
    this.verification.invalidate();
  }

  getRefreshTokenKey(): Promise<Buffer> {
    if (this.refresh === undefined) {
      return Promise.reject(new Error(`this function has no refresh-token key: ${KEY_SOURCE_ENV.refreshTokenKeySecretArn} is not set`));
    }
    return this.refresh.getRefreshTokenKey();
  }
}

/**
 * Builds the deployed key provider when the environment selects it (`KEY_SOURCE=aws`, or
 * either secret ARN set), and returns `undefined` for the local store. Throws a `TypeError`
 * on an unknown `KEY_SOURCE`.
 */
export function createAwsKeyProvider(
  env: Env,
  db: DynamoDBDocumentClient,
  config: AuthConfig,
  now: () => number = Date.now,
): AwsKeyProvider | undefined {
  const signingSecret = readOptionalString(env, KEY_SOURCE_ENV.signingKeySecretArn);
  const refreshSecret = readOptionalString(env, KEY_SOURCE_ENV.refreshTokenKeySecretArn);
  const source = readString(env, KEY_SOURCE_ENV.source, signingSecret !== undefined || refreshSecret !== undefined ? 'aws' : 'store');
  if (source === 'store') return undefined;
  if (source !== 'aws') {
    throw new TypeError(`environment variable ${KEY_SOURCE_ENV.source} must be "store" or "aws", got "${source}"`);
  }

  const verification = new PublishedJwksKeySource(new PublishedJwksStore(db, config.tableName), {
    cacheSeconds: config.keyCacheSeconds,
    now,
  });
  const secrets = signingSecret !== undefined || refreshSecret !== undefined ? new SecretsManagerClient({}) : undefined;
  const signing =
    signingSecret === undefined || secrets === undefined
      ? undefined
      : new SecretsManagerKeyProvider(secrets, {
          secretId: signingSecret,
          cacheSeconds: config.keyCacheSeconds,
          retiredKeyLifetimeSeconds: retiredKeyLifetimeSeconds(config),
          now,
        });
  const refresh =
    refreshSecret === undefined || secrets === undefined ? undefined : new SecretsManagerRefreshTokenKeyProvider(secrets, refreshSecret);
  return new AwsKeyProvider(verification, signing, refresh);
}
