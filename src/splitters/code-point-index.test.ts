import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCodePointIndex } from './code-point-index.ts';

/** Code points starting before each UTF-16 index, computed naively. */
function naiveBefore(text: string, index: number): number {
  let count = 0;
  for (let position = 0; position < index; position++) {
    const code = text.charCodeAt(position);
    const pairStart = (code & 0xfc00) === 0xd800 && (text.charCodeAt(position + 1) & 0xfc00) === 0xdc00;
    count++;
    if (pairStart) position++;
  }
  return count;
}

const anyText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint)),
    fc.constantFrom('a', '😀', '\uD83D', '\uDE00'),
  ),
  maxLength: 40,
});

describe('createCodePointIndex', () => {
  it('counts an astral character once and finds where each code point starts', () => {
    const index = createCodePointIndex('a😀b');
    expect(index.length).toBe(3);
    expect([0, 1, 2, 3, 4].map((position) => index.before(position))).toEqual([0, 1, 2, 2, 3]);
    expect([0, 1, 2, 3, 9].map((count) => index.unitIndex(count))).toEqual([0, 1, 3, 4, 4]);
  });

  it('agrees with Array.from for any text, lone surrogates included', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const index = createCodePointIndex(text);
        const codePoints = Array.from(text);
        const before = Array.from({ length: text.length + 1 }, (_, position) => index.before(position));
        const naive = Array.from({ length: text.length + 1 }, (_, position) => naiveBefore(text, position));
        let offset = 0;
        const starts = codePoints.map((codePoint) => {
          const start = offset;
          offset += codePoint.length;
          return start;
        });
        const unitIndexes = codePoints.map((_, count) => index.unitIndex(count));
        expect({
          length: index.length,
          before,
          unitIndexes,
          end: index.unitIndex(codePoints.length),
        }).toEqual({
          length: codePoints.length,
          before: naive,
          unitIndexes: starts,
          end: text.length,
        });
      }),
      { numRuns: 300 },
    );
  });
});
