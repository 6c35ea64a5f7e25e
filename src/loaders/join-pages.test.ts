import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinPages, pageSeparator } from './join-pages.ts';

describe('joinPages', () => {
  it('joins pages with a blank line and records their spans', () => {
    expect(joinPages(['one', 'two'])).toEqual({
      text: 'one\n\ntwo',
      pages: [
        { page: 1, start: 0, end: 3 },
        { page: 2, start: 5, end: 8 },
      ],
    });
    expect(joinPages([])).toEqual({ text: '', pages: [] });
  });

  it('gives spans consistent with the text for any pages', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 12 }), (pageTexts) => {
        const { text, pages } = joinPages(pageTexts);
        expect(pages.map((span) => span.page)).toEqual(pageTexts.map((_, index) => index + 1));
        pages.forEach((span, index) => {
          expect(text.slice(span.start, span.end)).toBe(pageTexts[index]);
          const next = pages[index + 1];
          if (next) expect(text.slice(span.end, next.start)).toBe(pageSeparator);
        });
        expect(pages[0]?.start ?? 0).toBe(0);
        expect(pages.at(-1)?.end ?? 0).toBe(text.length);
      }),
    );
  });
});
