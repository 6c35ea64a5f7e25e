import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Chunk } from '../core/types.ts';
import { buildOverviews } from './document-overview.ts';
import { findAcronyms } from './expand-acronyms.ts';
import { createPerDocument } from './per-document.ts';

function chunksOf(documents: string[][]): Chunk[] {
  let start = 0;
  return documents.flatMap((texts, d) =>
    texts.map((text, i) => {
      const chunk = {
        id: `d${d}#${i}`,
        documentId: `d${d}`,
        source: `d${d}.txt`,
        page: null,
        start,
        end: start + text.length,
        text,
      };
      start += text.length;
      return chunk;
    }),
  );
}

describe('createPerDocument', () => {
  it('computes each document once, again only when its chunks change', () => {
    const seen: string[] = [];
    const perDocument = createPerDocument((chunks) => {
      seen.push(chunks[0]?.documentId ?? '');
      return chunks.length;
    });
    const first = chunksOf([['a', 'b'], ['c']]);
    expect(perDocument(first)).toEqual([2, 1]);
    const grown = [...first, ...chunksOf([[], [], ['d', 'e', 'f']]).map((chunk) => ({ ...chunk }))];
    expect(perDocument(grown)).toEqual([2, 1, 3]);
    expect(seen).toEqual(['d0', 'd1', 'd2']);
  });

  it('gives the same acronyms and overviews as one pass over all chunks', () => {
    const sentence = fc.constantFrom(
      'We use reinforcement learning (RL) here.',
      'Supervised fine-tuning (SFT) comes first.',
      'Regular learning (RL) is another reading.',
      '1 Introduction',
      'Plain words without any acronym.',
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(sentence, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        (documents) => {
          const chunks = chunksOf(documents);
          const merged = new Map<string, string>();
          for (const found of createPerDocument(findAcronyms)(chunks))
            for (const [key, value] of found) if (!merged.has(key)) merged.set(key, value);
          expect([...merged]).toEqual([...findAcronyms(chunks)]);
          expect(createPerDocument(buildOverviews)(chunks).flat()).toEqual(buildOverviews(chunks));
        },
      ),
    );
  });
});
