import { describe, expect, it } from 'vitest';
import type { Chunk } from '../core/types.ts';
import { createLexicalRanker, defaultRanking, plainRanking } from './lexical-ranker.ts';

const chunk = (index: number, text: string, documentId = 'doc'): Chunk => ({
  id: `${documentId}#${index}`,
  documentId,
  source: 'doc.txt',
  page: null,
  start: 0,
  end: text.length,
  text,
});

const whitespace = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/\W+/)
    .filter((word) => word.length > 0);

describe('createLexicalRanker', () => {
  it('is BM25 alone when plain, with scores on a 0..1 scale', () => {
    const ranker = createLexicalRanker({ ranking: 'plain', bm25: { analyzer: whitespace } });
    expect(ranker.ranking).toEqual(plainRanking);
    ranker.add([chunk(0, 'apple banana'), chunk(1, 'banana cherry'), chunk(2, 'cherry date')]);
    const hits = ranker.rank('banana cherry', 3);
    expect(hits.map((hit) => hit.index)).toEqual([1, 0, 2]);
    for (const hit of hits) {
      expect(hit.score).toBeGreaterThan(0);
      expect(hit.score).toBeLessThan(1);
    }
    expect(ranker.rank('banana', 0)).toEqual([]);
    expect(ranker.rank('unknown', 3)).toEqual([]);
  });

  it('ranks a passage whose query terms are close together above one where they are far apart', () => {
    const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor';
    const texts = [`solar ${filler} panel ${filler}`, `${filler} solar panel ${filler}`];
    const plain = createLexicalRanker({ ranking: 'plain', bm25: { analyzer: whitespace } });
    const near = createLexicalRanker({ ranking: { proximity: 0.5 }, bm25: { analyzer: whitespace } });
    for (const ranker of [plain, near]) ranker.add(texts.map((text, i) => chunk(i, text)));
    const [first, second] = plain.rank('solar panel', 2);
    // Same terms, same length: BM25 alone cannot tell them apart and keeps insertion order.
    expect(first?.score).toBeCloseTo(second?.score ?? 0, 12);
    expect(near.rank('solar panel', 2).map((hit) => hit.index)).toEqual([1, 0]);
    expect(near.rank('solar panel', 2)[0]?.score).toBeLessThanOrEqual(1);
  });

  it('drops question words from the query unless nothing else is left', () => {
    const texts = ['What a day it was, and how.', 'The Normans conquered England in 1066.'];
    const frame = createLexicalRanker({
      ranking: { dropQuestionWords: true },
      bm25: { analyzer: whitespace },
    });
    const plain = createLexicalRanker({ ranking: 'plain', bm25: { analyzer: whitespace } });
    for (const ranker of [frame, plain]) ranker.add(texts.map((text, i) => chunk(i, text)));
    expect(plain.rank('What did the Normans conquer and how', 1)[0]?.index).toBe(0);
    expect(frame.rank('What did the Normans conquer and how', 1)[0]?.index).toBe(1);
    expect(frame.rank('what how', 1)[0]?.index).toBe(0);
  });

  it('adds the neighbours of a passage within the same document only', () => {
    const texts = ['quantum physics', 'the experiment', 'unrelated text', 'the experiment'];
    const ranker = createLexicalRanker({
      ranking: { ...plainRanking, neighbours: 0.5 },
      bm25: { analyzer: whitespace },
    });
    ranker.add([chunk(0, texts[0] as string), chunk(1, texts[1] as string), chunk(2, texts[2] as string)]);
    ranker.add([chunk(0, texts[3] as string, 'other')]);
    // Both "experiment" passages tie on BM25; only the first has a neighbour that mentions quantum.
    expect(ranker.rank('quantum experiment', 4).map((hit) => hit.index)).toEqual([0, 1, 3]);
  });

  it('expands the query with RM3 terms of the top passages', () => {
    const texts = ['jaguar cat speed', 'jaguar cat habitat', 'cat habitat forest', 'car engine'];
    const ranker = createLexicalRanker({
      ranking: { ...plainRanking, feedback: { documents: 2, terms: 5, originalWeight: 0.5 } },
      bm25: { analyzer: whitespace },
    });
    ranker.add(texts.map((text, i) => chunk(i, text)));
    // "forest cat habitat" shares no word with the query, but "cat" and "habitat" come back from feedback.
    expect(ranker.rank('jaguar', 4).map((hit) => hit.index)).toContain(2);
  });

  it('indexes a header with the text, as many times as its weight', () => {
    const header = (item: Chunk): string => (item.id.endsWith('#1') ? 'Methods' : '');
    const texts = ['we used a survey', 'we used a survey'];
    for (const [weight, expected] of [
      [0, [0, 1]],
      [1, [1]],
    ] as const) {
      const ranker = createLexicalRanker({
        ranking: { ...plainRanking, headerWeight: weight },
        header,
        bm25: { analyzer: whitespace },
      });
      ranker.add(texts.map((text, i) => chunk(i, text)));
      expect(ranker.rank('methods', 2).map((hit) => hit.index)).toEqual(weight === 0 ? [] : expected);
    }
    expect(defaultRanking.headerWeight).toBe(1);
  });
});
