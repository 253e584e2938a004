/**
 * Runs a command against AWS's DynamoDB Local. The script starts the jar shipped in the npm
 * package `amplify-dynamodb-simulator` with the machine's Java (17 or newer), in memory, with
 * telemetry off and on a free port. It then runs the command with `DYNAMODB_ENDPOINT`
 * pointing at that port, stops DynamoDB Local, and exits with the command's status.
 *
 * Usage: tsx scripts/with-dynamodb-local.ts <command> [args...]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReady(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      // Any HTTP response means the server accepts connections, because DynamoDB Local returns 400 to a bare GET.
      await fetch(endpoint);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms at ${endpoint}`);
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) throw new Error('usage: tsx scripts/with-dynamodb-local.ts <command> [args...]');

  const require = createRequire(import.meta.url);
  const emulatorDir = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;

  // DynamoDB Local writes a metadata file into its working directory; keep it out of the repository.
  const workDir = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
  // NOTE: DynamoDB Local 1.25 has no option to bind to loopback only; it listens on all interfaces.
  const java = spawn(
    'java',
    [`-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`, '-jar', join(emulatorDir, 'DynamoDBLocal.jar'), '-inMemory', '-disableTelemetry', '-port', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: workDir },
  );
  const javaExited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  java.once('error', (error) => {
    process.stderr.write(`error: failed to start java for DynamoDB Local: ${error.message}\n`);
  });

  try {
    await waitUntilReady(endpoint, 30_000);
    process.stderr.write(`DynamoDB Local is running at ${endpoint}\n`);
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, DYNAMODB_ENDPOINT: endpoint } });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    });
  } finally {
    java.kill('SIGTERM');
    await javaExited;
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
