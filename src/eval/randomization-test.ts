import { seededRandom } from '../core/seeded-random.ts';
/** Options of {@link pairedRandomizationTest}. */
export interface RandomizationOptions {
  /** Random relabelings drawn. Default 10,000 (a p-value resolution of 0.0001). */
  trials?: number;
  /** Seed of the generator, so the same scores always give the same p-value. Default 1. */
  seed?: number;
}

/** The outcome of {@link pairedRandomizationTest}. */
export interface RandomizationResult {
  /** Mean of `a[i] − b[i]`. */
  meanDifference: number;
  /** Two-sided p-value: the chance of a mean difference at least this large if the labels were exchangeable. */
  p: number;
}

/**
 * Fisher's paired randomization (permutation) test, as Smucker, Allan & Carterette (2007) recommend for IR:
 * under the null hypothesis each query's two scores could have come from either system, so the sign of each
 * difference is flipped at random and the observed mean difference is compared with the resulting ones.
 * The p-value counts the observed labeling too, (hits + 1) / (trials + 1), so it is never 0.
 */
export function pairedRandomizationTest(
  a: readonly number[],
  b: readonly number[],
  options: RandomizationOptions = {},
): RandomizationResult {
  if (a.length !== b.length)
    throw new RangeError(`Paired scores differ in length: ${a.length} and ${b.length}.`);
  const trials = options.trials ?? 10_000;
  const random = seededRandom(options.seed ?? 1);
  const n = a.length;
  if (n === 0) return { meanDifference: 0, p: 1 };
  const differences = a.map((value, i) => value - (b[i] as number));
  const observed = Math.abs(differences.reduce((sum, value) => sum + value, 0));
  // A float sum of the same terms in another order can differ in its last bits; ties must count as hits.
  const tolerance = 1e-12 * Math.max(1, observed);
  let hits = 0;
  for (let trial = 0; trial < trials; trial++) {
    let sum = 0;
    for (const difference of differences) sum += random() < 0.5 ? -difference : difference;
    if (Math.abs(sum) >= observed - tolerance) hits++;
  }
  return {
    meanDifference: differences.reduce((sum, value) => sum + value, 0) / n,
    p: (hits + 1) / (trials + 1),
  };
}
