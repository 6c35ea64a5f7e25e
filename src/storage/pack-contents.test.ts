import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Chunk } from '../core/types.ts';
import { packContents, unpackContents } from './pack-contents.ts';

/** Chunks as splitters make them: slices of one text in order, possibly overlapping, possibly with gaps. */
const slicedText = fc
  .tuple(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(fc.tuple(fc.nat(40), fc.integer({ min: -20, max: 20 })), { maxLength: 20 }),
  )
  .map(([text, steps]) => {
    const chunks: Chunk[] = [];
    let start = 0;
    for (const [length, shift] of steps) {
      start = Math.max(0, Math.min(text.length, start + shift));
      const end = Math.min(text.length, start + length);
      chunks.push({
        id: `d#${chunks.length}`,
        documentId: 'd',
        source: 'd.txt',
        page: null,
        start,
        end,
        text: text.slice(start, end),
      });
      start = end;
    }
    return { text, chunks };
  });

describe('packContents', () => {
  it('round-trips any chunks exactly and stores overlapping slices once', () => {
    fc.assert(
      fc.property(slicedText, fc.boolean(), ({ text, chunks }, withVectors) => {
        const vectors = withVectors ? chunks.map((_, i) => new Float32Array([i, i / 3])) : null;
        const packed = packContents('d', 'd.txt', chunks, vectors);
        const unpacked = unpackContents('d', 'd.txt', packed);
        expect(unpacked.chunks).toEqual(chunks);
        expect(unpacked.vectors?.map((vector) => Array.from(vector)) ?? null).toEqual(
          vectors === null || chunks.length === 0 ? null : vectors.map((vector) => Array.from(vector)),
        );
        expect(packed.ids).toBeNull();
        expect(packed.text.length).toBeLessThanOrEqual(
          chunks.reduce((sum, chunk) => sum + chunk.text.length, 0),
        );
        // Chunks whose offsets only move forward are slices of `text`: together they need no more than it.
        const forward = chunks.every((chunk, i) => i === 0 || chunk.start >= (chunks[i - 1]?.start ?? 0));
        if (forward) expect(packed.text.length).toBeLessThanOrEqual(text.length);
      }),
    );
  });

  it('keeps chunks whose text does not match their offsets', () => {
    const chunks: Chunk[] = [
      { id: 'x', documentId: 'd', source: 'other', page: 3, start: 0, end: 5, text: 'hello world' },
      { id: 'd#1', documentId: 'd', source: 'd.txt', page: null, start: 2, end: 9, text: 'unrelated' },
    ];
    expect(unpackContents('d', 'd.txt', packContents('d', 'd.txt', chunks, null)).chunks).toEqual(chunks);
  });
});
