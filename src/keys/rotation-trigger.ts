/**
 * Starts a rotation of the deployed signing-key secret, for `npm run admin -- keys rotate`
 * against a deployment. Secrets Manager then runs the key-rotation function's four steps;
 * this call returns once the rotation has started, not when it has finished.
 */
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface TriggeredRotation {
  /** Version id of the new key set; it becomes `AWSCURRENT` when the rotation finishes. */
  readonly versionId: string;
}

/**
 * Asks Secrets Manager to rotate `secretArn` now, with the rotation function and schedule
 * already configured on the secret. Throws the SDK error unchanged (for example
 * `InvalidRequestException` while another rotation is still running).
 */
export async function triggerRotation(secretArn: string, client: SecretsManagerClient = new SecretsManagerClient({})): Promise<TriggeredRotation> {
  const { VersionId } = await client.send(new RotateSecretCommand({ SecretId: secretArn, RotateImmediately: true }));
  if (VersionId === undefined) throw new Error(`Secrets Manager started no rotation of ${secretArn}`);
  return { versionId: VersionId };
}
