/**
 * Signing keys read from the AWS Secrets Manager secret that the key-rotation function
 * maintains. Only the functions that sign tokens use this provider.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KeyProvider, SigningKey, VerificationKey } from './key-provider.js';
import { toSigningKey, toVerificationKey } from './key-material.js';
import { currentSigningKey, parseSigningKeySet } from './rotation.js';

export interface SecretsManagerKeyProviderOptions {
  /** ARN or name of the signing-key secret. */
  readonly secretId: string;
  /**
   * How long the secret value read is reused. A rotation reaches this function at the
   * latest after this time, so the rotation function keeps retired keys published for at
   * least this long on top of the token lifetime.
   */
  readonly cacheSeconds: number;
  /** How long a retired key is still offered by `getVerificationKeys()`. */
  readonly retiredKeyLifetimeSeconds: number;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

interface LoadedKeys {
  readonly signing: SigningKey;
  readonly verification: readonly (VerificationKey & { readonly retiredAt?: number })[];
  readonly loadedAt: number;
}

/** Raised when the secret contains no usable signing key. The message never contains the secret value. */
export class SigningKeyUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SigningKeyUnavailableError';
  }
}

/**
 * Reads the `AWSCURRENT` version of the signing-key secret and signs with its newest
 * unretired key. The value is cached for `cacheSeconds`, so a rotation is picked up without
 * a redeployment; concurrent calls during a read share it.
 */
export class SecretsManagerKeyProvider implements KeyProvider {
  private cached: LoadedKeys | undefined;
  private loading: Promise<LoadedKeys> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretsManagerKeyProviderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async getSigningKey(): Promise<SigningKey> {
    return (await this.load()).signing;
  }

  /** Returns the keys of the secret that verifiers may still meet, retired keys within their lifetime included. */
  async getVerificationKeys(): Promise<readonly VerificationKey[]> {
    const nowSeconds = Math.floor(this.now() / 1000);
    return (await this.load()).verification.filter(
      (key) => key.retiredAt === undefined || key.retiredAt + this.options.retiredKeyLifetimeSeconds > nowSeconds,
    );
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private load(): Promise<LoadedKeys> {
    const cached = this.cached;
    if (cached !== undefined && this.now() - cached.loadedAt < this.options.cacheSeconds * 1000) return Promise.resolve(cached);
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<LoadedKeys> {
    const { SecretString } = await this.client.send(
      new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: 'AWSCURRENT' }),
    );
    if (SecretString === undefined) {
      throw new SigningKeyUnavailableError(`signing-key secret ${this.options.secretId} has no string value`);
    }
    let keySet;
    try {
      keySet = parseSigningKeySet(SecretString);
    } catch (error) {
      throw new SigningKeyUnavailableError(`signing-key secret ${this.options.secretId} contains no key set; check that the key-rotation function initialized it (its log group shows the custom-resource run)`, {
        cause: error,
      });
    }
    const current = currentSigningKey(keySet);
    if (current === undefined) {
      throw new SigningKeyUnavailableError(`signing-key secret ${this.options.secretId} has no unretired key`);
    }
    const loaded: LoadedKeys = {
      signing: toSigningKey(current),
      verification: keySet.keys.map((key) => ({ ...toVerificationKey(key), retiredAt: key.retiredAt })),
      loadedAt: this.now(),
    };
    this.cached = loaded;
    return loaded;
  }
}
