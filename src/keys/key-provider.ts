import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningAlgorithm } from '../config/config.js';

/** The private key new access tokens are signed with. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
}

/** A public key that tokens may have been signed with: the current one or a previous one still in use. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use`, as published in the JWKS. */
  readonly jwk: JWK;
}

/**
 * Source of the public keys tokens are verified with. Verifiers (the authorizer, introspection,
 * the JWKS endpoint) need only this, never a private key.
 */
export interface VerificationKeySource {
  getVerificationKeys(): Promise<readonly VerificationKey[]>;
  /**
   * Drops cached keys so the next call reads them again, for example when a token names an
   * unknown `kid` after a rotation. Callers rate-limit this.
   */
  invalidate(): void;
}

/**
 * Source of signing and verification keys. The local implementation keeps keys in the
 * DynamoDB table; the AWS implementation reads them from Secrets Manager. Token code uses
 * only this interface.
 */
export interface KeyProvider extends VerificationKeySource {
  getSigningKey(): Promise<SigningKey>;
}

/** Source of the server-held key that refresh-token secrets are derived from. */
export interface RefreshTokenKeyProvider {
  getRefreshTokenKey(): Promise<Buffer>;
}
