import { randomUUID } from 'node:crypto';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store.js';
import { loadConfig } from '../../src/config/config.js';
import type { Env } from '../../src/config/env.js';
import { createDependencies, type Dependencies } from '../../src/runtime/dependencies.js';
import { ensureTable } from '../../src/store/dynamo.js';

/** Issuer of every benchmark token. Nothing is ever sent to it. */
export const BENCH_ISSUER = 'https://auth.bench.invalid';

/** A fresh in-memory store on loopback, its table, and the production dependencies on top of it. */
export interface BenchStore {
  readonly endpoint: string;
  readonly env: Env;
  readonly deps: Dependencies;
  close(): Promise<void>;
}

/**
 * The environment every benchmark process runs with: the store's loopback endpoint and
 * placeholder credentials, so the AWS SDK never looks for credentials or a region elsewhere.
 */
export function loopbackAwsEnv(endpoint: string, tableName: string): Record<string, string> {
  return {
    DYNAMODB_ENDPOINT: endpoint,
    TABLE_NAME: tableName,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ISSUER: BENCH_ISSUER,
    KEY_SOURCE: 'store',
  };
}

/** Starts dynalite in memory on 127.0.0.1, creates a table and builds the dependencies with a signing key loaded. */
export async function startBenchStore(extraEnv: Env = {}): Promise<BenchStore> {
  const store: EmbeddedStore = await startEmbeddedStore(0, undefined);
  const env: Env = { ...loopbackAwsEnv(store.endpoint, `bench-${randomUUID()}`), ...extraEnv };
  const deps = createDependencies(loadConfig(env));
  try {
    await ensureTable(deps.db, deps.config.tableName);
    await deps.keys.getSigningKey();
  } catch (error) {
    deps.db.destroy();
    await store.close();
    throw error;
  }
  return {
    endpoint: store.endpoint,
    env,
    deps,
    close: async () => {
      deps.db.destroy();
      await store.close();
    },
  };
}
