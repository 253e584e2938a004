import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedStore {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite, a DynamoDB-compatible server, on loopback. `dataDir` undefined keeps the
 * data in memory; otherwise it is persisted in that folder (LevelDB). Port 0 picks a free port.
 */
export async function startEmbeddedStore(port: number, dataDir: string | undefined): Promise<EmbeddedStore> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const server = dynalite({
    ...(dataDir === undefined ? {} : { path: dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
