import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TextBox } from '../core/types.ts';
import { type PageRect, passageRects } from './passage-rects.ts';

/** A page laid out like a PDF: columns of lines of words, boxes in reading order, text with one space between. */
interface Layout {
  text: string;
  boxes: TextBox[];
}

const charWidth = 0.01;
const lineHeight = 0.02;

const layoutArbitrary: fc.Arbitrary<Layout> = fc
  .array(
    fc.record({
      columns: fc.constantFrom(1, 2),
      lines: fc.array(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), {
        minLength: 1,
        maxLength: 12,
      }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((pages) => {
    let text = '';
    const boxes: TextBox[] = [];
    pages.forEach((page, pageIndex) => {
      if (pageIndex > 0) text += '\n\n';
      const perColumn = Math.ceil(page.lines.length / page.columns);
      page.lines.forEach((words, lineIndex) => {
        const column = Math.floor(lineIndex / perColumn);
        const row = lineIndex % perColumn;
        if (lineIndex > 0) text += '\n';
        let x = 0.05 + column * 0.5;
        words.forEach((letters, wordIndex) => {
          if (wordIndex > 0) {
            text += ' ';
            x += charWidth;
          }
          const start = text.length;
          text += 'w'.repeat(letters);
          boxes.push({
            page: pageIndex + 1,
            x,
            y: 0.05 + row * lineHeight * 1.5,
            width: letters * charWidth,
            height: lineHeight,
            start,
            end: text.length,
          });
          x += letters * charWidth;
        });
      });
    });
    return { text, boxes };
  });

const withRange = layoutArbitrary.chain((layout) =>
  fc
    .tuple(fc.nat({ max: layout.text.length }), fc.nat({ max: layout.text.length }))
    .map(([a, b]) => ({ layout, start: Math.min(a, b), end: Math.max(a, b) })),
);

const epsilon = 1e-9;

function contains(outer: PageRect, inner: PageRect): boolean {
  return (
    inner.x >= outer.x - epsilon &&
    inner.y >= outer.y - epsilon &&
    inner.x + inner.width <= outer.x + outer.width + epsilon &&
    inner.y + inner.height <= outer.y + outer.height + epsilon
  );
}

function overlapArea(first: PageRect, second: PageRect): number {
  const width = Math.min(first.x + first.width, second.x + second.width) - Math.max(first.x, second.x);
  const height = Math.min(first.y + first.height, second.y + second.height) - Math.max(first.y, second.y);
  return width > epsilon && height > epsilon ? width * height : 0;
}

describe('passageRects', () => {
  it('covers every word inside the passage, on its own page', () => {
    fc.assert(
      fc.property(withRange, ({ layout, start, end }) => {
        const highlights = passageRects(layout.boxes, start, end);
        for (const box of layout.boxes) {
          if (box.start < start || box.end > end) continue;
          const rects = highlights.find((highlight) => highlight.page === box.page)?.rects ?? [];
          expect(rects.some((rect) => contains(rect, box))).toBe(true);
        }
      }),
    );
  });

  it('covers nothing of a word outside the passage', () => {
    fc.assert(
      fc.property(withRange, ({ layout, start, end }) => {
        const highlights = passageRects(layout.boxes, start, end);
        for (const box of layout.boxes) {
          if (box.end > start && box.start < end) continue;
          const rects = highlights.find((highlight) => highlight.page === box.page)?.rects ?? [];
          for (const rect of rects) expect(overlapArea(rect, box)).toBe(0);
        }
      }),
    );
  });

  it('gives the pages in order, each once, and only pages the passage touches', () => {
    fc.assert(
      fc.property(withRange, ({ layout, start, end }) => {
        const pages = passageRects(layout.boxes, start, end).map((highlight) => highlight.page);
        const touched = [
          ...new Set(
            layout.boxes
              .filter((box) => Math.min(end, box.end) > Math.max(start, box.start))
              .map((box) => box.page),
          ),
        ];
        expect(pages).toEqual(touched);
      }),
    );
  });

  it('highlights as much width as the passage has characters in words (split anywhere, the parts add up)', () => {
    fc.assert(
      fc.property(withRange, fc.nat(), ({ layout, start, end }, cut) => {
        const middle = start + (end > start ? cut % (end - start) : 0);
        const characters = layout.boxes.reduce(
          (sum, box) => sum + Math.max(0, Math.min(end, box.end) - Math.max(start, box.start)),
          0,
        );
        // Merged rectangles also cover the word spaces between: count each line's width by characters instead.
        const covered = (from: number, to: number) =>
          passageRects(layout.boxes, from, to)
            .flatMap((highlight) => highlight.rects)
            .reduce((sum, rect) => sum + rect.width, 0);
        const whole = covered(start, end);
        expect(whole).toBeGreaterThanOrEqual(characters * charWidth - epsilon);
        expect(covered(start, middle) + covered(middle, end)).toBeLessThanOrEqual(whole + epsilon);
        expect(covered(start, middle) + covered(middle, end)).toBeGreaterThanOrEqual(
          characters * charWidth - epsilon,
        );
      }),
    );
  });

  it('cuts a run at the passage edge by its share of characters, and merges words of a line', () => {
    const boxes: TextBox[] = [
      { page: 1, x: 0.1, y: 0.1, width: 0.4, height: 0.02, start: 0, end: 10 },
      { page: 1, x: 0.51, y: 0.1, width: 0.2, height: 0.02, start: 11, end: 16 },
      { page: 2, x: 0.1, y: 0.05, width: 0.3, height: 0.02, start: 18, end: 24 },
    ];
    const [first, second] = passageRects(boxes, 5, 20);
    expect(first?.page).toBe(1);
    expect(first?.rects).toHaveLength(1);
    expect(first?.rects[0]?.x).toBeCloseTo(0.3);
    expect(first?.rects[0]?.width).toBeCloseTo(0.41);
    expect(second?.page).toBe(2);
    expect(second?.rects).toHaveLength(1);
    expect(second?.rects[0]?.x).toBeCloseTo(0.1);
    expect(second?.rects[0]?.width).toBeCloseTo(0.1);
    expect(passageRects(boxes, 3, 3)).toEqual([]);
  });

  it('cuts a run by measured widths when given a measure', () => {
    const text = 'iiiiWWWW';
    const boxes: TextBox[] = [{ page: 1, x: 0, y: 0, width: 0.5, height: 0.02, start: 0, end: 8 }];
    const width = (value: string) =>
      [...value].reduce((sum, character) => sum + (character === 'W' ? 4 : 1), 0);
    const [highlight] = passageRects(boxes, 4, 8, { text, width });
    expect(highlight?.rects[0]?.x).toBeCloseTo(0.1);
    expect(highlight?.rects[0]?.width).toBeCloseTo(0.4);
  });
});
