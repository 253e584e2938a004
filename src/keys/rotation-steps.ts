/**
 * The four steps of a Secrets Manager rotation of the signing-key secret, and the
 * initialization at deployment time. The key-rotation Lambda function only dispatches to
 * these methods.
 *
 * Timeline of one rotation (token T, previous current version C):
 *
 * ```
 * createSecret  AWSPENDING(T) = C's keys, signing key retired, expired retirements dropped, new key added
 * setSecret     published JWKS = public keys of AWSPENDING(T), so verifiers know the new key first
 * testSecret    the new key signs and verifies a test JWT; the published JWKS contains it
 * finishSecret  AWSCURRENT moves to T; signing functions switch at their next cache refresh
 * ```
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SigningAlgorithm } from '../config/config.js';
import type { PublishedJwks } from './published-jwks.js';
import {
  checkKeyPair,
  createInitialKeySet,
  currentSigningKey,
  KEY_SET_VERSION,
  KeySetFormatError,
  parseSigningKeySet,
  publishedKeysOf,
  rotateKeySet,
  serializeSigningKeySet,
  type SigningKeySet,
} from './rotation.js';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Destination of the public keys: the table item that verifiers read. */
export interface JwksPublisher {
  put(jwks: PublishedJwks): Promise<void>;
  get(): Promise<PublishedJwks | undefined>;
}

export interface SigningKeyRotationOptions {
  /** Algorithm of the keys created. */
  readonly algorithm: SigningAlgorithm;
  /** How long a retired key stays in the set and the published JWKS; see `retiredKeyLifetimeSeconds()`. */
  readonly retiredKeyLifetimeSeconds: number;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Raised when Secrets Manager calls a step in a state it cannot run in; Secrets Manager then retries the rotation. */
export class RotationStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationStateError';
  }
}

/** Outcome of `initialize()`, for the custom-resource response and the logs. */
export interface InitializeResult {
  readonly action: 'created' | 'republished' | 'unchanged';
  readonly kid: string;
}

export class SigningKeyRotation {
  private readonly now: () => number;

  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly publisher: JwksPublisher,
    private readonly options: SigningKeyRotationOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Runs one step after checking that `token` is a version this rotation may work on. */
  async runStep(step: RotationStep, secretId: string, token: string): Promise<void> {
    const state = await this.versionState(secretId, token);
    if (state === 'current') return; // The rotation already finished; a retried step has nothing to do.
    if (step === 'createSecret') return this.createSecret(secretId, token);
    if (step === 'setSecret') return this.setSecret(secretId, token);
    if (step === 'testSecret') return this.testSecret(secretId, token);
    return this.finishSecret(secretId, token);
  }

  /**
   * Stores the next key set as the `AWSPENDING` version `token`, unless that version exists
   * already (a retried step). A current value that is no key set yet (the placeholder
   * generated when the secret was created) counts as an empty set.
   */
  async createSecret(secretId: string, token: string): Promise<void> {
    if (await this.readVersion(secretId, { VersionId: token, VersionStage: AWSPENDING }, true) !== undefined) return;

    const current = (await this.readKeySet(secretId, { VersionStage: AWSCURRENT }, true)) ?? { version: KEY_SET_VERSION, keys: [] };
    const next = await rotateKeySet(current, {
      algorithm: this.options.algorithm,
      nowSeconds: this.nowSeconds(),
      retiredKeyLifetimeSeconds: this.options.retiredKeyLifetimeSeconds,
    });
    await this.secrets.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: serializeSigningKeySet(next),
        VersionStages: [AWSPENDING],
      }),
    );
  }

  /** Publishes the public keys of the pending version, the new key included, before it signs anything. */
  async setSecret(secretId: string, token: string): Promise<void> {
    const pending = await this.readPending(secretId, token);
    await this.publish(pending);
  }

  /** Proves that the pending signing key works and that verifiers can already find it. */
  async testSecret(secretId: string, token: string): Promise<void> {
    const pending = await this.readPending(secretId, token);
    const key = currentSigningKey(pending);
    if (key === undefined) throw new RotationStateError(`pending version ${token} of ${secretId} has no unretired key`);
    await checkKeyPair(key, this.nowSeconds());

    const published = await this.publisher.get();
    if (published === undefined || !published.keys.some((entry) => entry.kid === key.kid)) {
      throw new RotationStateError(`published JWKS lacks the pending key "${key.kid}"; setSecret has not run`);
    }
  }

  /** Moves `AWSCURRENT` to the pending version. */
  async finishSecret(secretId: string, token: string): Promise<void> {
    const { VersionIdsToStages = {} } = await this.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
    const currentVersion = Object.entries(VersionIdsToStages).find(([, stages]) => stages.includes(AWSCURRENT))?.[0];
    if (currentVersion === token) return;
    await this.secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: AWSCURRENT,
        MoveToVersionId: token,
        RemoveFromVersionId: currentVersion,
      }),
    );
  }

  /**
   * Sets up the key set at deployment. When the current value is no key set (a new secret),
   * it stores a first key and publishes it. Otherwise it republishes the current keys if the
   * published JWKS lacks the signing key, as after a table replacement. The JWKS is written
   * before the secret, so the key is published before any function can sign with it.
   */
  async initialize(secretId: string): Promise<InitializeResult> {
    const existing = await this.readKeySet(secretId, { VersionStage: AWSCURRENT }, true);
    const existingKey = existing === undefined ? undefined : currentSigningKey(existing);
    if (existing !== undefined && existingKey !== undefined) {
      const published = await this.publisher.get();
      if (published?.keys.some((entry) => entry.kid === existingKey.kid) === true) {
        return { action: 'unchanged', kid: existingKey.kid };
      }
      await this.publish(existing);
      return { action: 'republished', kid: existingKey.kid };
    }

    const initial = await createInitialKeySet(this.options.algorithm, this.nowSeconds());
    const key = currentSigningKey(initial);
    if (key === undefined) throw new Error('a new key set has no signing key');
    await this.publish(initial);
    await this.secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeSigningKeySet(initial) }));
    return { action: 'created', kid: key.kid };
  }

  private async publish(keySet: SigningKeySet): Promise<void> {
    const nowSeconds = this.nowSeconds();
    await this.publisher.put({
      keys: publishedKeysOf(keySet, this.options.retiredKeyLifetimeSeconds, nowSeconds),
      updatedAt: nowSeconds,
    });
  }

  /** Classifies `token` the way the Secrets Manager rotation template does, throwing when rotation cannot go on. */
  private async versionState(secretId: string, token: string): Promise<'current' | 'pending'> {
    const { RotationEnabled, VersionIdsToStages = {} } = await this.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (RotationEnabled !== true) throw new RotationStateError(`rotation is not enabled on ${secretId}`);
    const stages = VersionIdsToStages[token];
    if (stages === undefined) throw new RotationStateError(`version ${token} of ${secretId} has no stage for rotation`);
    if (stages.includes(AWSCURRENT)) return 'current';
    if (!stages.includes(AWSPENDING)) throw new RotationStateError(`version ${token} of ${secretId} is not staged ${AWSPENDING}`);
    return 'pending';
  }

  private async readPending(secretId: string, token: string): Promise<SigningKeySet> {
    const keySet = await this.readKeySet(secretId, { VersionId: token, VersionStage: AWSPENDING }, false);
    if (keySet === undefined) throw new RotationStateError(`pending version ${token} of ${secretId} was not found`);
    return keySet;
  }

  /**
   * Reads and parses a version. With `tolerateMissing`, a missing version or a value that is
   * no key set returns `undefined`; otherwise both throw.
   */
  private async readKeySet(
    secretId: string,
    version: { VersionId?: string; VersionStage: string },
    tolerateMissing: boolean,
  ): Promise<SigningKeySet | undefined> {
    const text = await this.readVersion(secretId, version, tolerateMissing);
    if (text === undefined) return undefined;
    try {
      return parseSigningKeySet(text);
    } catch (error) {
      if (tolerateMissing && error instanceof KeySetFormatError) return undefined;
      throw error;
    }
  }

  private async readVersion(
    secretId: string,
    version: { VersionId?: string; VersionStage: string },
    tolerateMissing: boolean,
  ): Promise<string | undefined> {
    try {
      const { SecretString } = await this.secrets.send(new GetSecretValueCommand({ SecretId: secretId, ...version }));
      return SecretString;
    } catch (error) {
      if (tolerateMissing && error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
