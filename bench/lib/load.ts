import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AUTOCANNON_CLI = require.resolve('autocannon/autocannon.js');

export interface LoadOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  /** Mean requests per second over the run, counting 2xx responses only. */
  readonly requestsPerSecond: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

interface AutocannonJson {
  readonly requests: { readonly total: number };
  /** Seconds. */
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly '2xx': number;
  readonly latency: { readonly p50: number; readonly p99: number };
}

/**
 * Runs autocannon in a child process, so the load generator does not share the event loop
 * of the server under test. The run is bounded by `durationSeconds`, and the child is killed
 * if it has not finished 30 seconds after that.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    AUTOCANNON_CLI,
    '--json',
    '--connections', String(options.connections),
    '--duration', String(options.durationSeconds),
    '--method', 'POST',
    '--body', options.body,
  ];
  for (const [name, value] of Object.entries(options.headers)) args.push('--headers', `${name}=${value}`);
  args.push(options.url);

  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: (options.durationSeconds + 30) * 1000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) {
        reject(new Error(`autocannon failed against ${options.url}: ${error.message}`, { cause: error }));
        return;
      }
      const result = JSON.parse(stdout) as AutocannonJson;
      resolve({
        requestsPerSecond: result['2xx'] / result.duration,
        non2xx: result.non2xx,
        errors: result.errors,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
      });
    });
  });
}
