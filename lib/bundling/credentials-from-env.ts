/**
 * Stand-in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * `esbuild-options.ts`). Lambda passes the execution role's credentials in environment
 * variables, so the default chain's other sources (SSO, INI files, `credential_process`, web
 * identity, container and instance metadata) are never reached there, and bundling them costs
 * cold-start time.
 *
 * NOTE: a bundle built with this alias finds credentials only in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Run it elsewhere with those variables set.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

/** Returns the environment-variable provider where the SDK requests its default chain. */
export const defaultProvider = (init: FromEnvInit = {}): ReturnType<typeof fromEnv> => fromEnv(init);

interface ExpiringCredentials {
  readonly expiration?: Date;
}

/** Same contract as the SDK's export of this name: credentials with an expiry are refreshed. */
export const credentialsWillNeedRefresh = (credentials?: ExpiringCredentials): boolean => credentials?.expiration !== undefined;

/** Same contract as the SDK's export of this name: expiring within 5 minutes counts as expired. */
export const credentialsTreatedAsExpired = (credentials?: ExpiringCredentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
