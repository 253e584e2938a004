/**
 * Password hashing: the cost of one scrypt hash with the configured parameters, next to
 * raw `crypto.scrypt`, the OWASP Password Storage Cheat Sheet minimum and lower-memory
 * alternatives, so operators can size the token function's memory.
 */
import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig, OWASP_SCRYPT, type ScryptParameters } from '../src/config/config.js';
import { hashPassword, verifyPassword } from '../src/oauth/password-hash.js';
import type { BenchmarkRow, BenchmarkTable } from './lib/report.js';
import { median, rotate } from './lib/stats.js';

export interface PasswordHashBenchOptions {
  /** Interleaved rounds; each hashes once per contender. */
  readonly runs: number;
}

/** Size of scrypt's V array, 128·N·r bytes (RFC 7914 section 5), in MiB; it dominates memory use. */
function memoryMiB(parameters: ScryptParameters): number {
  return (128 * parameters.n * parameters.r) / (1024 * 1024);
}

function rawScrypt(parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = {
    N: parameters.n,
    r: parameters.r,
    p: parameters.p,
    maxmem: 128 * parameters.n * parameters.r * parameters.p + 16 * 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt('correct horse battery staple', randomBytes(16), 32, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const describe = (parameters: ScryptParameters): string => `N=2^${Math.log2(parameters.n)}, r=${parameters.r}, p=${parameters.p}`;

export async function runPasswordHashBench(options: PasswordHashBenchOptions): Promise<BenchmarkTable> {
  // The configuration the token function would load; SCRYPT_N, SCRYPT_R and SCRYPT_P change it.
  const configured = loadConfig(process.env).scrypt;
  const password = 'correct horse battery staple';
  const stored = await hashPassword(password, configured);

  const contenders: { name: string; parameters: ScryptParameters; run: () => Promise<unknown> }[] = [
    { name: `raw crypto.scrypt, ${describe(configured)}`, parameters: configured, run: () => rawScrypt(configured) },
    { name: `hashPassword, ${describe(configured)} (configured)`, parameters: configured, run: () => hashPassword(password, configured) },
    { name: `verifyPassword, ${describe(configured)} (configured)`, parameters: configured, run: () => verifyPassword(password, stored, configured) },
  ];
  // Smaller N with larger p needs less memory per hash for a similar CPU cost.
  for (const alternative of [
    { n: 2 ** 16, r: 8, p: 2 },
    { n: 2 ** 15, r: 8, p: 3 },
  ]) {
    contenders.push({ name: `raw crypto.scrypt, ${describe(alternative)} (lower memory)`, parameters: alternative, run: () => rawScrypt(alternative) });
  }

  const durations = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  for (const contender of contenders) await contender.run();
  for (let run = 0; run < options.runs; run += 1) {
    for (const contender of rotate(contenders, run)) {
      const start = performance.now();
      await contender.run();
      durations.get(contender.name)!.push(performance.now() - start);
    }
  }

  const baseline = contenders[0]!;
  const baselineRuns = durations.get(baseline.name)!;
  const rows: BenchmarkRow[] = contenders.map((contender) => {
    const runs = durations.get(contender.name)!;
    return {
      name: contender.name,
      ms: median(runs),
      baseline: baseline.name,
      ratio: median(runs.map((ms, run) => ms / baselineRuns[run]!)),
      extra: { memory_mib: memoryMiB(contender.parameters) },
    };
  });
  const isOwasp = configured.n >= OWASP_SCRYPT.n && configured.r >= OWASP_SCRYPT.r && configured.p >= OWASP_SCRYPT.p;
  return {
    id: 'password-hash',
    title: 'Password hashing: scrypt cost per hash',
    rows,
    notes: [
      `${options.runs} interleaved rounds, one hash per contender each; ms is the median. The configured parameters ${isOwasp ? 'meet' : 'are below'} the OWASP minimum ${describe(OWASP_SCRYPT)}.`,
      'memory_mib is the V array of one scrypt call; a Lambda function also needs its runtime and bundle on top, and concurrent logins in one process each need their own.',
      'The password grant hashes once per request, and once more when a stored hash uses weaker parameters than configured (rehash on login).',
    ],
  };
}
