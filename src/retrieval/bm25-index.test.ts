import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../text/analyzer.ts';
import { createBm25Index, luceneNormLength } from './bm25-index.ts';

const whitespace = (text: string): string[] => text.split(/\s+/).filter((word) => word.length > 0);

describe('createBm25Index', () => {
  it("scores with Lucene's BM25 formula (hand-computed)", () => {
    const index = createBm25Index({ analyzer: whitespace, k1: 0.9, b: 0.4 });
    index.add(['apple apple banana', 'banana cherry', 'cherry cherry cherry date']);
    // N = 3, lengths 3, 2, 4 → avgdl = 3. "apple": df = 1, idf = ln(1 + 2.5/1.5).
    const idf = Math.log(1 + 2.5 / 1.5);
    const norm = 0.9 * (1 - 0.4 + (0.4 * 3) / 3);
    const expected = (idf * 2 * 1.9) / (2 + norm);
    const hits = index.search('apple', 10);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.index).toBe(0);
    expect(hits[0]?.score).toBeCloseTo(expected, 12);
  });

  it('ranks by summed term scores, repeated query terms counting per occurrence', () => {
    const index = createBm25Index({ analyzer: whitespace });
    index.add(['apple banana', 'banana cherry', 'cherry date']);
    expect(index.search('banana cherry', 3).map((hit) => hit.index)).toEqual([1, 0, 2]);
    const once = index.search('cherry', 1)[0]?.score ?? 0;
    const twice = index.search('cherry cherry', 1)[0]?.score ?? 0;
    expect(twice).toBeCloseTo(2 * once, 12);
  });

  it('computes IDF at query time, so adding documents later changes scores exactly as a batch would', () => {
    const texts = ['gene expression in mice', 'protein folding', 'gene therapy trial', 'mice and men'];
    const batch = createBm25Index();
    batch.add(texts);
    const incremental = createBm25Index();
    incremental.add(texts.slice(0, 1));
    const before = incremental.search('gene', 5);
    incremental.add(texts.slice(1, 3));
    incremental.add(texts.slice(3));
    expect(incremental.size).toBe(4);
    expect(incremental.search('gene mice', 5)).toEqual(batch.search('gene mice', 5));
    expect(before[0]?.score).not.toBeCloseTo(batch.search('gene', 5)[0]?.score ?? 0, 6);
  });

  it('breaks ties by insertion order and is stable across calls', () => {
    const index = createBm25Index({ analyzer: whitespace });
    index.add(['x y', 'y x', 'x y', 'z']);
    const first = index.search('x', 10);
    expect(first.map((hit) => hit.index)).toEqual([0, 1, 2]);
    expect(index.search('x', 10)).toEqual(first);
    expect(index.search('x', 2).map((hit) => hit.index)).toEqual([0, 1]);
  });

  it('returns nothing for unknown terms, empty queries and an empty index', () => {
    const empty = createBm25Index();
    expect(empty.search('anything', 5)).toEqual([]);
    const index = createBm25Index();
    index.add(['some text']);
    expect(index.search('unrelated', 5)).toEqual([]);
    expect(index.search('', 5)).toEqual([]);
    expect(index.search('text', 0)).toEqual([]);
  });

  it('searches weighted analyzed terms and bounds every score', () => {
    const index = createBm25Index({ analyzer: createAnalyzer() });
    index.add(['Cells divide.', 'The cell cycle of dividing cells.', 'Unrelated words here.']);
    const weights = index.queryWeights('dividing cells');
    expect([...weights]).toEqual([
      ['divid', 1],
      ['cell', 1],
    ]);
    const bound = index.scoreBound(weights);
    const hits = index.searchTerms(new Map([...weights, ['absent', 3]]), 5);
    expect(hits.map((hit) => hit.index)).toEqual([1, 0]);
    for (const hit of hits) expect(hit.score).toBeLessThan(bound);
    expect(index.searchTerms(new Map([['cell', 0.5]]), 5)[0]?.score).toBeCloseTo(
      0.5 * (index.searchTerms(new Map([['cell', 1]]), 5)[0]?.score ?? 0),
      12,
    );
  });

  it('exposes document frequencies and per-document term counts', () => {
    const index = createBm25Index({ analyzer: whitespace });
    index.add(['a b a', 'b c']);
    expect(index.documentFrequency('b')).toBe(2);
    expect(index.documentFrequency('zzz')).toBe(0);
    expect(index.documentTerms(0)).toEqual({ terms: ['a', 'b'], counts: [2, 1], length: 3 });
    expect(() => index.documentTerms(2)).toThrow(RangeError);
  });
});

describe('luceneNormLength', () => {
  it("rounds lengths as Lucene's one-byte norms do", () => {
    expect([0, 1, 23, 24, 31, 32, 40, 41, 100, 1000].map(luceneNormLength)).toEqual([
      0, 1, 23, 24, 31, 32, 40, 40, 96, 984,
    ]);
  });

  it('changes scores only for documents of 24 terms or more', () => {
    const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ');
    const exact = createBm25Index({ analyzer: whitespace });
    const lossy = createBm25Index({ analyzer: whitespace, luceneLengths: true });
    for (const index of [exact, lossy]) index.add([`apple ${words(10)}`, `apple ${words(40)}`]);
    const [shortExact, longExact] = [...exact.search('apple', 2)].sort((a, b) => a.index - b.index);
    const [shortLossy, longLossy] = [...lossy.search('apple', 2)].sort((a, b) => a.index - b.index);
    expect(shortLossy?.score).toBeCloseTo(shortExact?.score ?? 0, 12);
    // 41 terms are stored as 40, so the long document scores a little higher than with its exact length.
    expect(longLossy?.score).toBeGreaterThan(longExact?.score ?? 0);
  });
});
