import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopK } from './top-k.ts';

const best = (scores: readonly number[], k: number, order: readonly number[]) => {
  const top = new TopK(k);
  for (const index of order) top.offer(scores[index] as number, index);
  return top.sorted();
};

describe('TopK', () => {
  it('equals a full sort by score, then by index, cut at k, whatever the order of offers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 70 }),
        fc.boolean(),
        (scores, k, reversed) => {
          const expected = scores
            .map((score, index) => ({ index, score }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, k);
          const order = scores.map((_, index) => index);
          if (reversed) order.reverse();
          expect(best(scores, k, order)).toEqual(expected);
        },
      ),
    );
  });

  it('ignores NaN scores, keeps nothing for k = 0 and raises its threshold once full', () => {
    const scores = [1, Number.NaN, 2];
    expect(best(scores, 5, [0, 1, 2]).map((hit) => hit.index)).toEqual([2, 0]);
    expect(best(scores, 0, [0, 1, 2])).toEqual([]);
    const top = new TopK(2);
    expect(top.threshold).toBe(Number.NEGATIVE_INFINITY);
    top.offer(3, 0);
    top.offer(1, 1);
    expect(top.threshold).toBe(1);
  });
});
