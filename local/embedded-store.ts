import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';

export interface EmbeddedStore {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

const LOCK_FILE = 'server.pid';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `dataDir` for this process with a pid file. LevelDB allows one process per folder,
 * and dynalite reports a second one only with an uncaught error, so the conflict is caught
 * here with a clear message. A pid file left by a process that no longer runs is replaced.
 */
function claimDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
        throw new Error(`the store folder ${dataDir} is in use by another local server (process ${owner}); stop it or set LOCAL_DATA_DIR to another folder`, { cause: error });
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not claim the store folder ${dataDir}; remove ${lockPath} and retry`);
}

/**
 * Starts dynalite, a DynamoDB-compatible server, on loopback. `dataDir` undefined keeps the
 * data in memory; otherwise it is persisted in that folder (LevelDB). Port 0 picks a free port.
 */
export async function startEmbeddedStore(port: number, dataDir: string | undefined): Promise<EmbeddedStore> {
  let release = (): void => undefined;
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    release = claimDataDir(dataDir);
  }
  const server = dynalite({
    ...(dataDir === undefined ? {} : { path: dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    release();
    throw error;
  }
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          release();
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
