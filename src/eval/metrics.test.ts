import { describe, expect, it } from 'vitest';
import { ndcgAtK, recallAtK, reciprocalRankAtK } from './metrics.ts';

const judged = (entries: [string, number][]): Map<string, number> => new Map(entries);

describe('ndcgAtK', () => {
  it('uses graded gains, a log2 discount and the ideal ordering of the judgments (hand-computed)', () => {
    const judgments = judged([
      ['a', 2],
      ['b', 1],
      ['c', 1],
    ]);
    // DCG = 1/log2(2) + 0 + 2/log2(4) = 1 + 1 = 2; IDCG = 2 + 1/log2(3) + 1/log2(4) = 3.1309297535714573
    const expected = 2 / (2 + 1 / Math.log2(3) + 0.5);
    expect(ndcgAtK(['b', 'x', 'a'], judgments, 10)).toBeCloseTo(expected, 12);
  });

  it('cuts at k on both the ranking and the ideal list', () => {
    const judgments = judged([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
    expect(ndcgAtK(['x', 'a'], judgments, 1)).toBe(0);
    expect(ndcgAtK(['a', 'x'], judgments, 1)).toBe(1);
    // k = 2: DCG = 1 / log2(3), IDCG = 1 + 1 / log2(3).
    expect(ndcgAtK(['x', 'a', 'b'], judgments, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
  });

  it('is 1 for a perfect ranking and 0 without relevant documents', () => {
    expect(
      ndcgAtK(
        ['a', 'b'],
        judged([
          ['a', 3],
          ['b', 1],
        ]),
        10,
      ),
    ).toBe(1);
    expect(ndcgAtK(['a'], judged([['a', 0]]), 10)).toBe(0);
    expect(ndcgAtK([], judged([['a', 1]]), 10)).toBe(0);
  });
});

describe('recallAtK', () => {
  it('is the share of relevant documents within the first k', () => {
    const judgments = judged([
      ['a', 1],
      ['b', 2],
      ['c', 0],
      ['d', 1],
    ]);
    expect(recallAtK(['a', 'c', 'x', 'b'], judgments, 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(['a', 'c', 'x', 'b'], judgments, 4)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(['x'], judged([['c', 0]]), 10)).toBe(0);
  });
});

describe('reciprocalRankAtK', () => {
  it('is one over the rank of the first relevant document within k', () => {
    const judgments = judged([
      ['a', 1],
      ['z', 0],
    ]);
    expect(reciprocalRankAtK(['z', 'x', 'a'], judgments, 10)).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRankAtK(['z', 'x', 'a'], judgments, 2)).toBe(0);
    expect(reciprocalRankAtK(['a'], judgments, 10)).toBe(1);
  });
});
