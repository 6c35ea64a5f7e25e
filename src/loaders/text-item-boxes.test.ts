import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignRuns, textItemBox } from './text-item-boxes.ts';

const letter = { transform: [1, 0, 0, -1, 0, 792], width: 612, height: 792 };

describe('textItemBox', () => {
  it('boxes a horizontal run from descent to ascent, in fractions of the displayed page', () => {
    const box = textItemBox(
      { str: 'Hi', transform: [12, 0, 0, 12, 72, 700], width: 30, height: 12, hasEOL: false },
      letter,
    );
    expect(box?.x).toBeCloseTo(72 / 612);
    expect(box?.width).toBeCloseTo(30 / 612);
    expect(box?.y).toBeCloseTo((792 - 700 - 0.8 * 12) / 792);
    expect(box?.height).toBeCloseTo(12 / 792);
  });

  it('uses the font ascent and descent when pdf.js knows them, and drops runs without extent', () => {
    const item = { str: 'x', transform: [10, 0, 0, 10, 0, 100], width: 5, height: 10, hasEOL: false };
    const box = textItemBox(item, letter, { ascent: 0.9, descent: -0.3 });
    expect(box?.y).toBeCloseTo((792 - 109) / 792);
    expect(box?.height).toBeCloseTo(12 / 792);
    expect(textItemBox({ ...item, width: 0 }, letter)).toBeNull();
  });

  it('follows a rotated page', () => {
    // A page rotated by 90°: pdf.js's viewport maps user (x, y) to (y, x) on a 792 × 612 display.
    const rotated = { transform: [0, 1, 1, 0, 0, 0], width: 792, height: 612 };
    const box = textItemBox(
      { str: 'Hi', transform: [12, 0, 0, 12, 72, 700], width: 30, height: 12, hasEOL: false },
      rotated,
    );
    expect(box?.x).toBeCloseTo((700 - 2.4) / 792);
    expect(box?.y).toBeCloseTo(72 / 612);
  });
});

describe('alignRuns', () => {
  it('finds runs across collapsed whitespace, dropped control characters and rejoined hyphens', () => {
    const runs = ['Deep  learning is super-', 'vised', '\u0001here.', '  '];
    const text = 'Deep learning is supervised\nhere.';
    const ranges = alignRuns(text, runs, 100);
    expect(ranges).toEqual([
      { start: 100, end: 122 },
      { start: 122, end: 127 },
      { start: 128, end: 133 },
      null,
    ]);
  });

  it('maps every run onto exactly its own characters (property)', () => {
    const word = fc.stringMatching(/^[a-zA-Z0-9.,é-]{1,8}$/);
    const run = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(
        fc.array(run, { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom(' ', '\n', '\n\n', '')),
        (runs, separators) => {
          // The text a page renders: runs joined by whitespace (or nothing), as layout does.
          let text = '';
          const expected: { start: number; end: number }[] = [];
          runs.forEach((value, index) => {
            if (index > 0) text += separators[index] ?? ' ';
            expected.push({ start: text.length, end: text.length + value.length });
            text += value;
          });
          const ranges = alignRuns(text, runs);
          expect(ranges).toEqual(expected);
        },
      ),
    );
  });
});
