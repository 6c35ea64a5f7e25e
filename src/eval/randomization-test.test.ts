import { describe, expect, it } from 'vitest';
import { pairedRandomizationTest } from './randomization-test.ts';

describe('pairedRandomizationTest', () => {
  it('finds a consistent improvement significant and reports the mean difference', () => {
    const b = Array.from({ length: 40 }, (_, i) => (i % 5) / 10);
    const a = b.map((value) => value + 0.1);
    const result = pairedRandomizationTest(a, b);
    expect(result.meanDifference).toBeCloseTo(0.1, 12);
    // All 40 differences are positive: only the observed labeling (and its mirror) is as extreme.
    expect(result.p).toBeLessThan(0.001);
  });

  it('gives p = 1 for identical systems and a large p for noise around zero', () => {
    const scores = [0.1, 0.5, 0.9, 0.3];
    expect(pairedRandomizationTest(scores, scores).p).toBe(1);
    const a = [0.5, 0.4, 0.6, 0.5, 0.4, 0.6, 0.5, 0.45];
    const b = [0.4, 0.5, 0.5, 0.6, 0.45, 0.55, 0.5, 0.5];
    expect(pairedRandomizationTest(a, b).p).toBeGreaterThan(0.3);
  });

  it('matches the exact test on a small case and is deterministic for a seed', () => {
    // Differences 1, 1, 1: of the 8 sign patterns, 2 reach |sum| = 3, so the exact p is 0.25.
    const result = pairedRandomizationTest([1, 1, 1], [0, 0, 0], { trials: 20_000, seed: 7 });
    expect(result.p).toBeGreaterThan(0.23);
    expect(result.p).toBeLessThan(0.27);
    expect(pairedRandomizationTest([1, 1, 1], [0, 0, 0], { trials: 20_000, seed: 7 })).toEqual(result);
    expect(() => pairedRandomizationTest([1], [1, 2])).toThrow(RangeError);
  });
});
