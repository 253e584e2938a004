/**
 * Dispatches the two kinds of events the key-rotation function receives: Secrets Manager
 * rotation steps, and the CloudFormation custom resource that initializes the key set at
 * deployment time. The work itself is in `SigningKeyRotation`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { ROTATION_STEPS, type SigningKeyRotation } from '../../src/keys/rotation-steps.js';
import { sendCustomResourceResponse, type CustomResourceResult } from './custom-resource.js';

export type KeyRotationEvent = SecretsManagerRotationEvent | CloudFormationCustomResourceEvent;

export interface KeyRotationHandlerDependencies {
  readonly rotation: Pick<SigningKeyRotation, 'runStep' | 'initialize'>;
  /** ARN of the only secret this function manages. */
  readonly secretArn: string;
  readonly logger: Logger;
  readonly respond?: typeof sendCustomResourceResponse;
}

export function createKeyRotationHandler(deps: KeyRotationHandlerDependencies): (event: KeyRotationEvent, context: Context) => Promise<void> {
  const respond = deps.respond ?? sendCustomResourceResponse;

  return async (event, context) => {
    deps.logger.addContext(context);
    if ('RequestType' in event) {
      await respond(event, await initializeForStack(deps, event));
      return;
    }

    const { Step: step, SecretId: secretId, ClientRequestToken: token } = event;
    if (!ROTATION_STEPS.includes(step)) throw new Error(`unknown rotation step "${String(step)}"`);
    if (secretId !== deps.secretArn) {
      throw new Error(`rotation requested for ${secretId}, but this function manages only ${deps.secretArn}`);
    }
    deps.logger.info('rotation step started', { step, secretId, versionId: token });
    await deps.rotation.runStep(step, secretId, token);
    deps.logger.info('rotation step finished', { step, secretId, versionId: token });
  };
}

/** Initializes the key set on Create and Update; Delete leaves the secret to its own removal policy. */
async function initializeForStack(deps: KeyRotationHandlerDependencies, event: CloudFormationCustomResourceEvent): Promise<CustomResourceResult> {
  if (event.RequestType === 'Delete') return { status: 'SUCCESS', data: {} };
  try {
    const result = await deps.rotation.initialize(deps.secretArn);
    deps.logger.info('signing-key set initialized', { requestType: event.RequestType, action: result.action, kid: result.kid });
    return { status: 'SUCCESS', data: { Kid: result.kid } };
  } catch (error) {
    deps.logger.error('signing-key set initialization failed', { requestType: event.RequestType, error });
    // The reason is shown in the stack events, so it names the failure but carries no key material.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    return { status: 'FAILED', reason: `signing-key set initialization failed (${reason}); see the function's log group` };
  }
}
