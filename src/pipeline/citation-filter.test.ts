import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCitationFilter, removeUnknownCitations } from './citation-filter.ts';

const valid = new Set([1, 2, 3]);

function streamed(deltas: readonly string[]): string {
  const filter = createCitationFilter(valid);
  return deltas.map((delta) => filter.push(delta)).join('') + filter.flush();
}

describe('removeUnknownCitations', () => {
  it('removes markers that point at no passage given, with their space, and keeps valid ones', () => {
    expect(removeUnknownCitations('R1 uses GRPO [1]. It is cheap [7].', valid)).toBe(
      'R1 uses GRPO [1]. It is cheap.',
    );
    expect(removeUnknownCitations('Both [2, 9] and [3;4].', valid)).toBe('Both [2] and [3].');
    expect(removeUnknownCitations('Other brackets [x] and [v2] stay; GRPO[1] too.', valid)).toBe(
      'Other brackets [x] and [v2] stay; GRPO[1] too.',
    );
  });
});

describe('createCitationFilter', () => {
  it('holds back a marker split across deltas until it is complete', () => {
    const filter = createCitationFilter(valid);
    expect(filter.push('It is cheap [')).toBe('It is cheap');
    expect(filter.push('1')).toBe('');
    expect(filter.push('2]. Done')).toBe('. Done');
    expect(filter.flush()).toBe('');
  });

  it('gives the same text streamed in any pieces as filtered whole', () => {
    const piece = fc.oneof(
      fc.constantFrom('[', ']', ' ', '1', '7', ',', 'a', '[1]', ' [9]', '[2, 8]', '. '),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }),
        fc.array(fc.nat(40), { maxLength: 10 }),
        (parts, cuts) => {
          const text = parts.join('');
          const points = [...new Set(cuts.map((cut) => Math.min(cut, text.length)))].sort((a, b) => a - b);
          const deltas: string[] = [];
          let from = 0;
          for (const point of points) {
            deltas.push(text.slice(from, point));
            from = point;
          }
          deltas.push(text.slice(from));
          expect(streamed(deltas)).toBe(removeUnknownCitations(text, valid));
        },
      ),
    );
  });
});
