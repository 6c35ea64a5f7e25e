/** One side of a comparison: a function whose call is one timed run (it may return a promise). */
export type Runner = () => unknown;

/** Options of {@link compareAlternating}. */
export interface CompareOptions {
  /** Untimed rounds first, so every side is compiled and its caches are warm. */
  warmup: number;
  /** Timed rounds; each round runs every side once. */
  rounds: number;
  /** Calls per timed run; the reported time is per call. */
  callsPerRun?: number;
}

/** The timings of one side: the median and every sample, in milliseconds per call. */
export interface SideTiming {
  medianMs: number;
  samplesMs: number[];
}

/**
 * Runs the sides in alternating order (round r starts with side r mod n), after warm-up, so slow drifts of the
 * machine touch every side alike. Returns each side's median and samples in ms per call.
 */
export async function compareAlternating(
  sides: Record<string, Runner>,
  options: CompareOptions,
): Promise<Record<string, SideTiming>> {
  const names = Object.keys(sides);
  const calls = options.callsPerRun ?? 1;
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as string;
      const run = sides[name] as Runner;
      const started = performance.now();
      for (let call = 0; call < calls; call++) await run();
      const elapsed = (performance.now() - started) / calls;
      if (round >= options.warmup) samples[name]?.push(elapsed);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const values = samples[name] ?? [];
      return [name, { medianMs: median(values), samplesMs: values.map(round3) }];
    }),
  );
}

/** Times one async or sync call in milliseconds. */
export async function time(run: Runner): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** The median of a list of numbers (the mean of the middle two for an even count); NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The value at quantile `q` (0..1) by nearest rank; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** `numerator / denominator` rounded to 2 decimals, e.g. how many times slower a peer is. */
export function ratio(numerator: number, denominator: number): number {
  return Math.round((numerator / denominator) * 100) / 100;
}

/** Rounds to 3 decimals, for readable JSON. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
