/**
 * Runs every benchmark and prints one Markdown table per benchmark, or with `--json` one
 * JSON object per row. `--quick` runs fewer, shorter rounds, for checking the harness only.
 * Every server it loads is started here on 127.0.0.1 and stopped before it exits.
 */
import { cpus } from 'node:os';
import { format } from 'node:util';
import { runColdStartBench } from './cold-start.js';
import { runPasswordHashBench } from './password-hash.js';
import { toJsonLines, toMarkdown, type BenchmarkTable } from './lib/report.js';
import { runRoundTripBench } from './round-trips.js';
import { runSignBench } from './sign.js';
import { runVerifyBench } from './verify.js';

interface RunOptions {
  readonly json: boolean;
  readonly quick: boolean;
  /** Benchmark ids to run; empty runs all. */
  readonly only: readonly string[];
}

const BENCHMARK_IDS = ['verify', 'sign', 'cold-start', 'round-trips', 'password-hash'] as const;

function parseArguments(argv: readonly string[]): RunOptions {
  let json = false;
  let quick = false;
  const only: string[] = [];
  for (const argument of argv) {
    if (argument === '--json') json = true;
    else if (argument === '--quick') quick = true;
    else if (argument.startsWith('--only=')) only.push(...argument.slice('--only='.length).split(','));
    else throw new TypeError(`unknown argument "${argument}"; expected --json, --quick or --only=${BENCHMARK_IDS.join(',')}`);
  }
  for (const id of only) {
    if (!(BENCHMARK_IDS as readonly string[]).includes(id)) throw new TypeError(`unknown benchmark "${id}" in --only; expected ${BENCHMARK_IDS.join(', ')}`);
  }
  return { json, quick, only };
}

async function runBenchmark(id: (typeof BENCHMARK_IDS)[number], quick: boolean): Promise<BenchmarkTable[]> {
  switch (id) {
    case 'verify':
      return [await runVerifyBench(quick ? { rounds: 3, turnMs: 200 } : { rounds: 7, turnMs: 500 })];
    case 'sign':
      return runSignBench(quick ? { rounds: 2, durationSeconds: 2, connections: 10 } : { rounds: 5, durationSeconds: 5, connections: 10 });
    case 'cold-start':
      return [await runColdStartBench(quick ? { runs: 5 } : { runs: 21 })];
    case 'round-trips':
      return [await runRoundTripBench(quick ? { samples: 5 } : { samples: 21 })];
    case 'password-hash':
      return [await runPasswordHashBench(quick ? { runs: 3 } : { runs: 7 })];
  }
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  // Placeholder credentials and no instance metadata: the AWS SDK must talk only to the loopback stores started here.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  // Handlers log to stdout, which carries the tables and JSON lines. No hot path measured here
  // logs at INFO on success except revocation, so raising the level changes the figures little.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

  // In JSON mode stdout carries only the rows, so anything a library prints goes to stderr.
  const print = (text: string): void => {
    process.stdout.write(`${text}\n`);
  };
  if (options.json) {
    const toStderr = (...args: unknown[]): void => {
      process.stderr.write(`${format(...args)}\n`);
    };
    console.log = toStderr;
    console.info = toStderr;
    console.warn = toStderr;
    console.debug = toStderr;
  }

  const started = Date.now();
  const ids = options.only.length === 0 ? BENCHMARK_IDS : BENCHMARK_IDS.filter((id) => options.only.includes(id));
  if (!options.json) {
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    print(`# Benchmarks\n\nNode ${process.version}, ${cpus().length} × ${cpu}, ${new Date(started).toISOString()}\n`);
  }
  for (const id of ids) {
    for (const table of await runBenchmark(id, options.quick)) {
      print(options.json ? toJsonLines(table) : `${toMarkdown(table)}\n`);
    }
  }
  if (!options.json) print(`Total time: ${Math.round((Date.now() - started) / 1000)} s`);
}

await main();
