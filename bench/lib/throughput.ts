import { performance } from 'node:perf_hooks';
import { median, rotate } from './stats.js';

/** One function under test. It may return a promise, which is awaited before the next call. */
export interface Contender {
  readonly name: string;
  readonly run: () => unknown;
}

export interface ThroughputOptions {
  readonly rounds: number;
  /** Length of one contender's turn in a round, in milliseconds. */
  readonly turnMs: number;
  /** Untimed calls per contender before the first round, for JIT warm-up and caches. */
  readonly warmupCalls: number;
}

export interface ThroughputResult {
  readonly name: string;
  /** Median over rounds of calls per second. */
  readonly opsPerSecond: number;
  /** Median over rounds of this contender's throughput divided by the baseline's in the same round. */
  readonly ratio: number;
}

async function callRepeatedly(contender: Contender, turnMs: number): Promise<number> {
  const start = performance.now();
  const deadline = start + turnMs;
  let calls = 0;
  let now = start;
  // The clock is read every 16 calls, so reading it costs little even for sub-microsecond calls.
  while (now < deadline) {
    for (let batch = 0; batch < 16; batch += 1) {
      const result = contender.run();
      if (result instanceof Promise) await result;
    }
    calls += 16;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

/**
 * Measures contenders in interleaved rounds inside this process: each round gives every
 * contender one turn of `turnMs`, starting from a different contender each round, so a
 * slow phase of a shared machine hits all of them alike. The first contender is the baseline.
 */
export async function measureThroughput(contenders: readonly Contender[], options: ThroughputOptions): Promise<ThroughputResult[]> {
  for (const contender of contenders) {
    for (let call = 0; call < options.warmupCalls; call += 1) {
      const result = contender.run();
      if (result instanceof Promise) await result;
    }
  }

  const perRound = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const contender of rotate(contenders, round)) {
      perRound.get(contender.name)!.push(await callRepeatedly(contender, options.turnMs));
    }
  }

  const baseline = perRound.get(contenders[0]!.name)!;
  return contenders.map((contender) => {
    const rates = perRound.get(contender.name)!;
    return {
      name: contender.name,
      opsPerSecond: median(rates),
      ratio: median(rates.map((rate, round) => rate / baseline[round]!)),
    };
  });
}
