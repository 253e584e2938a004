/**
 * Key-rotation function: the Secrets Manager rotation function of the signing-key secret,
 * and the custom resource that creates the first key at deployment time.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../src/config/config.js';
import { readOptionalString } from '../../src/config/env.js';
import { PublishedJwksStore } from '../../src/keys/published-jwks.js';
import { retiredKeyLifetimeSeconds } from '../../src/keys/rotation.js';
import { SigningKeyRotation } from '../../src/keys/rotation-steps.js';
import { KEY_SOURCE_ENV } from '../../src/keys/secrets-manager-keys.js';
import { createLogger } from '../../src/log/logger.js';
import { createDocumentClient } from '../../src/store/dynamo.js';
import { createKeyRotationHandler } from './handler.js';

const config = loadConfig();
const secretArn = readOptionalString(process.env, KEY_SOURCE_ENV.signingKeySecretArn);
if (secretArn === undefined) throw new TypeError(`environment variable ${KEY_SOURCE_ENV.signingKeySecretArn} is required`);

const rotation = new SigningKeyRotation(new SecretsManagerClient({}), new PublishedJwksStore(createDocumentClient(), config.tableName), {
  algorithm: config.signingAlgorithm,
  retiredKeyLifetimeSeconds: retiredKeyLifetimeSeconds(config),
});

export const handler = createKeyRotationHandler({ rotation, secretArn, logger: createLogger('key-rotation') });
