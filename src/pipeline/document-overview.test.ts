import { describe, expect, it } from 'vitest';
import type { Chunk } from '../core/types.ts';
import { buildOverviews } from './document-overview.ts';

const chunk = (documentId: string, index: number, text: string, start: number): Chunk => ({
  id: `${documentId}#${index}`,
  documentId,
  source: `${documentId}.pdf`,
  page: index + 1,
  start,
  end: start + text.length,
  text,
});

describe('buildOverviews', () => {
  it('finds the title over two lines, sequential headings and the introducing chunks', () => {
    const chunks = [
      chunk(
        'p',
        0,
        'DeepThing: Better Reasoning via\nReinforcement Learning\nTeam X\nteam@x.org\nAbstract\nWe do things.',
        0,
      ),
      chunk(
        'p',
        1,
        'Contents\n1 Introduction 3\n2 Approach 5\n2.1 Overview 5\n3 Experiment 11\nTable 1 row',
        100,
      ),
      chunk('p', 2, '5 Results\n4 Discussion\nText about 7 Items in a list.', 200),
      chunk('p', 3, '5 Conclusion\nWe conclude.', 300),
    ];
    const [overview] = buildOverviews(chunks);
    expect(overview?.title).toBe('DeepThing: Better Reasoning via Reinforcement Learning');
    expect(overview?.headings).toEqual([
      'Introduction',
      'Approach',
      'Experiment',
      'Discussion',
      'Conclusion',
    ]);
    expect(overview?.chunks.map((item) => item.id)).toEqual(['p#0', 'p#3']);
  });

  it('makes one overview per document, in insertion order', () => {
    const overviews = buildOverviews([
      chunk('a', 0, '# Notes\nSome text.', 0),
      chunk('b', 0, 'Other file', 0),
    ]);
    expect(overviews.map((overview) => [overview.source, overview.title])).toEqual([
      ['a.pdf', 'Notes'],
      ['b.pdf', 'Other file'],
    ]);
    expect(buildOverviews([])).toEqual([]);
  });
});
