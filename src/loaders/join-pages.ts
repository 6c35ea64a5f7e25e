import type { PageSpan } from '../core/types.ts';

/** The separator between pages in a PDF's text: a page break is also a paragraph break. */
export const pageSeparator = '\n\n';

/**
 * Joins pages' texts with {@link pageSeparator} and records where each page lies, so that
 * `text.slice(span.start, span.end) === pageTexts[span.page - 1]` for every span. Empty pages keep a span.
 */
export function joinPages(pageTexts: readonly string[]): { text: string; pages: PageSpan[] } {
  const parts: string[] = [];
  const pages: PageSpan[] = [];
  let length = 0;
  pageTexts.forEach((pageText, index) => {
    if (index > 0) {
      parts.push(pageSeparator);
      length += pageSeparator.length;
    }
    parts.push(pageText);
    pages.push({ page: index + 1, start: length, end: length + pageText.length });
    length += pageText.length;
  });
  return { text: parts.join(''), pages };
}
