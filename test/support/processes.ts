import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs a command in the repository root and collects its output. */
export function run(command: string, args: string[], env: Record<string, string>, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A long-running child in its own process group, so a signal reaches npm and everything it started. */
export interface BackgroundProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` to the whole process group, or with `groupWide: false` to the started process alone, and waits for it to exit. */
  stop(signal: NodeJS.Signals, options?: { groupWide?: boolean }): Promise<number | null>;
}

export function start(command: string, args: string[], env: Record<string, string>): BackgroundProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = output.match(pattern);
          if (match !== null) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    stop: async (signal, options = {}) => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(options.groupWide === false ? child.pid : -child.pid, signal);
      return exited;
    },
  };
}
