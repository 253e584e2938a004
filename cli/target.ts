import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readOptionalString, type Env } from '../src/config/env.js';

export interface StoreTarget {
  /** DynamoDB endpoint; undefined means the AWS regional endpoint with the caller's credentials. */
  readonly endpoint: string | undefined;
  readonly tableName: string;
  readonly description: string;
}

/** True when the environment names AWS credentials, found without any network call. */
function hasAwsCredentials(env: Env): boolean {
  const variables = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];
  if (variables.some((name) => readOptionalString(env, name) !== undefined)) return true;
  const credentialsFile = readOptionalString(env, 'AWS_SHARED_CREDENTIALS_FILE') ?? join(homedir(), '.aws', 'credentials');
  return existsSync(credentialsFile);
}

/**
 * Chooses the table the CLI works on. `DYNAMODB_ENDPOINT` wins when set. Without it, AWS
 * credentials select the deployed table (`TABLE_NAME` is then required), and otherwise the
 * local server's embedded store on `127.0.0.1:$DYNAMODB_PORT` is used.
 */
export function resolveStoreTarget(env: Env): StoreTarget {
  const endpoint = readOptionalString(env, 'DYNAMODB_ENDPOINT');
  const tableName = readOptionalString(env, 'TABLE_NAME');
  if (endpoint !== undefined) {
    return { endpoint, tableName: tableName ?? 'auth-local', description: `${endpoint}, table ${tableName ?? 'auth-local'}` };
  }
  if (hasAwsCredentials(env)) {
    if (tableName === undefined) {
      throw new Error('TABLE_NAME is required with AWS credentials: set it to the deployed table name (stack output TableName)');
    }
    return { endpoint: undefined, tableName, description: `AWS table ${tableName}` };
  }
  const port = readOptionalString(env, 'DYNAMODB_PORT') ?? '8000';
  const local = `http://127.0.0.1:${port}`;
  return { endpoint: local, tableName: tableName ?? 'auth-local', description: `${local}, table ${tableName ?? 'auth-local'}` };
}
