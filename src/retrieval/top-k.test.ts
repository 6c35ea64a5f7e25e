import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from './top-k.ts';

describe('topK', () => {
  it('equals a full sort by score, then by index, cut at k', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 70 }),
        (scores, k) => {
          const expected = scores
            .map((score, index) => ({ index, score }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, k);
          expect(
            topK(
              scores.length,
              k,
              (i) => i,
              (i) => scores[i] as number,
            ),
          ).toEqual(expected);
        },
      ),
    );
  });

  it('skips NaN scores and returns nothing for k <= 0', () => {
    const scores = [1, Number.NaN, 2];
    expect(
      topK(
        3,
        5,
        (i) => i,
        (i) => scores[i] as number,
      ).map((hit) => hit.index),
    ).toEqual([2, 0]);
    expect(
      topK(
        3,
        0,
        (i) => i,
        (i) => scores[i] as number,
      ),
    ).toEqual([]);
    expect(
      topK(
        3,
        -1,
        (i) => i,
        (i) => scores[i] as number,
      ),
    ).toEqual([]);
  });
});
