/**
 * The refresh-token key read from its own Secrets Manager secret. It is separate from the
 * signing keys because it never rotates: every refresh token is an HMAC under this key, so
 * replacing it would invalidate all of them. Keeping it apart also lets revocation and
 * introspection read it without any access to private signing keys.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RefreshTokenKeyProvider } from './key-provider.js';

/** Minimum length of the secret string; the stack generates 64 alphanumeric characters (about 380 bits). */
export const MIN_REFRESH_KEY_LENGTH = 32;

/**
 * Reads the secret once per process and uses its UTF-8 bytes as the HMAC-SHA256 key. A
 * failed read is not cached, so the next request tries again.
 */
export class SecretsManagerRefreshTokenKeyProvider implements RefreshTokenKeyProvider {
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  getRefreshTokenKey(): Promise<Buffer> {
    this.key ??= this.read().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async read(): Promise<Buffer> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (SecretString === undefined || SecretString.length < MIN_REFRESH_KEY_LENGTH) {
      throw new Error(`refresh-token key secret ${this.secretId} must hold a string of at least ${MIN_REFRESH_KEY_LENGTH} characters`);
    }
    return Buffer.from(SecretString, 'utf8');
  }
}
