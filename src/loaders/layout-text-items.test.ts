import { describe, expect, it } from 'vitest';
import { layoutTextItems, type PdfTextItem } from './layout-text-items.ts';

/** A horizontal item at (x, y) whose glyphs are `size * 0.5` wide each, like an average Latin font. */
function item(
  str: string,
  x: number,
  y: number,
  options: { size?: number; eol?: boolean } = {},
): PdfTextItem {
  const size = options.size ?? 10;
  return {
    str,
    transform: [size, 0, 0, size, x, y],
    width: str.length * size * 0.5,
    height: size,
    hasEOL: options.eol ?? false,
  };
}

const texts = (items: PdfTextItem[]) => layoutTextItems(items).map((line) => line.text);

describe('layoutTextItems', () => {
  it('joins items on one baseline, with a space only where there is a word gap', () => {
    // "Hello" spans 100..125; "World" starts 3 units later (a word gap); "!" touches "World".
    expect(texts([item('Hello', 100, 700), item('World', 128, 700), item('!', 153, 700)])).toEqual([
      'Hello World!',
    ]);
    expect(texts([item('(', 100, 700), item('Pass', 105, 700), item('@1)', 125, 700)])).toEqual(['(Pass@1)']);
  });

  it('adds no space of its own next to whitespace the items carry (rendering collapses runs)', () => {
    expect(texts([item('Hello ', 100, 700), item(' World', 140, 700)])).toEqual(['Hello  World']);
    expect(texts([item('Hello', 100, 700), item(' ', 125, 700), item('World', 135, 700)])).toEqual([
      'Hello World',
    ]);
  });

  it('breaks lines where pdf.js saw an end of line or the baseline moves', () => {
    expect(texts([item('one', 100, 700, { eol: true }), item('two', 100, 686)])).toEqual(['one', 'two']);
    expect(texts([item('one', 100, 700), item('', 100, 686, { eol: true }), item('two', 100, 686)])).toEqual([
      'one',
      'two',
    ]);
    expect(texts([item('one', 100, 700), item('two', 100, 686)])).toEqual(['one', 'two']);
  });

  it('keeps superscripts on their line', () => {
    expect(
      texts([item('E = mc', 100, 700), item('2', 130, 704, { size: 6 }), item(' holds', 133, 700)]),
    ).toEqual(['E = mc2 holds']);
  });

  it('starts a new line when text jumps back along the same baseline', () => {
    expect(texts([item('right column', 300, 700), item('left column', 100, 700)])).toEqual([
      'right column',
      'left column',
    ]);
  });

  it('marks paragraphs at gaps wider than line spacing and at changes of font size', () => {
    const lines = layoutTextItems([
      item('Title', 100, 740, { size: 16 }),
      item('first line', 100, 700),
      item('second line', 100, 688),
      item('after a gap', 100, 650),
    ]);
    expect(lines).toEqual([
      { text: 'Title', paragraphBreakBefore: false, size: 16 },
      { text: 'first line', paragraphBreakBefore: true, size: 10 },
      { text: 'second line', paragraphBreakBefore: false, size: 10 },
      { text: 'after a gap', paragraphBreakBefore: true, size: 10 },
    ]);
  });

  it('judges a line by its body text, not a differently sized label at its start', () => {
    const lines = layoutTextItems([
      item('AGENCY:', 100, 700, { size: 7 }),
      item('Federal Aviation', 140, 700),
      item('Administration (FAA), DOT.', 100, 688),
    ]);
    expect(lines.map((line) => line.paragraphBreakBefore)).toEqual([false, false]);
  });

  it('reads rotated text as lines of its own', () => {
    const up = (str: string, x: number, y: number): PdfTextItem => ({
      str,
      transform: [0, 10, -10, 0, x, y],
      width: str.length * 5,
      height: 10,
      hasEOL: false,
    });
    expect(texts([item('body', 100, 700), up('margin', 20, 300), up('stamp', 20, 333)])).toEqual([
      'body',
      'margin stamp',
    ]);
  });

  it('drops whitespace-only lines and returns nothing for no items', () => {
    expect(layoutTextItems([])).toEqual([]);
    expect(texts([item(' ', 100, 700, { eol: true }), item('', 100, 680, { eol: true })])).toEqual([]);
  });
});
