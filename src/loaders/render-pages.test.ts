import { describe, expect, it } from 'vitest';
import type { TextLine } from './layout-text-items.ts';
import { renderPages } from './render-pages.ts';

const lines = (...texts: string[]): TextLine[] =>
  texts.map((text) => ({ text, paragraphBreakBefore: false }));

describe('renderPages', () => {
  it('joins lines with newlines and paragraphs with blank lines', () => {
    const page: TextLine[] = [
      { text: 'Heading', paragraphBreakBefore: false },
      { text: 'first', paragraphBreakBefore: true },
      { text: 'second', paragraphBreakBefore: false },
    ];
    expect(renderPages([page])).toEqual(['Heading\n\nfirst\nsecond']);
  });

  it('collapses whitespace, trims lines, drops control characters and empty lines', () => {
    expect(renderPages([lines('  a \t b\u00a0\u00a0c ', '\u0000\u0003', 'd\u0001e f \u0002 g')])).toEqual([
      'a b c\nde f g',
    ]);
  });

  it('rejoins a word split across lines when the document uses the whole word elsewhere', () => {
    const page = lines('a model trained without super-', 'vised fine-tuning, unlike supervised ones');
    expect(renderPages([page])).toEqual([
      'a model trained without supervised fine-tuning, unlike supervised ones',
    ]);
  });

  it('uses the vocabulary of every page', () => {
    expect(renderPages([lines('recur-', 'sive'), lines('recursive')])).toEqual(['recursive', 'recursive']);
  });

  it('keeps the hyphen of compounds and of capitalized or numeric parts, dropping only the line break', () => {
    expect(renderPages([lines('a self-', 'consistency check')])).toEqual(['a self-consistency check']);
    expect(renderPages([lines('DeepSeek-', 'R1 is here')])).toEqual(['DeepSeek-R1 is here']);
    expect(renderPages([lines('pages 10-', '20')])).toEqual(['pages 10-20']);
  });

  it('always removes a soft hyphen at a line end', () => {
    expect(renderPages([lines('hyphen\u00ad', 'ation')])).toEqual(['hyphenation']);
  });

  it('keeps line breaks after dashes and across paragraphs', () => {
    expect(renderPages([lines('a list -', 'next item')])).toEqual(['a list -\nnext item']);
    expect(renderPages([lines('737–', '9 MAX')])).toEqual(['737–\n9 MAX']);
    const page: TextLine[] = [
      { text: 'ends with super-', paragraphBreakBefore: false },
      { text: 'vised', paragraphBreakBefore: true },
    ];
    expect(renderPages([page])).toEqual(['ends with super-\n\nvised']);
  });

  it('renders an empty page as empty text', () => {
    expect(renderPages([[], lines('x')])).toEqual(['', 'x']);
  });
});
