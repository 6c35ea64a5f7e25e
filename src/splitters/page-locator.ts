import { DocchatError } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';

/** Finds the 1-based page of a UTF-16 index of a document's text; `null` when the document has no pages. */
export type PageLocator = (index: number) => number | null;

/**
 * Checks `document.pages` (in order, inside the text, positive integer page numbers) and returns a
 * {@link PageLocator}: the page of an index is the last page that starts at or before it, which is the page
 * containing it (or, in a separator between pages, the page just ended). Throws `invalid_request` for bad spans.
 */
export function createPageLocator(document: LoadedDocument): PageLocator {
  const { pages, text } = document;
  if (pages.length === 0) return () => null;
  let previousEnd = 0;
  for (const [position, span] of pages.entries()) {
    const valid =
      Number.isInteger(span.page) &&
      span.page >= 1 &&
      Number.isInteger(span.start) &&
      Number.isInteger(span.end) &&
      span.start >= previousEnd &&
      span.end >= span.start &&
      span.end <= text.length;
    if (!valid) {
      throw new DocchatError(
        'invalid_request',
        `Page span ${position + 1} of "${document.source}" is invalid: page spans must have positive integer ` +
          'page numbers and lie in order, without overlapping, inside the document text. Reload the document.',
        { details: { source: document.source, span: position } },
      );
    }
    previousEnd = span.end;
  }
  const firstPage = pages[0]?.page ?? null;
  return (index) => {
    // Binary search for the last span whose start is ≤ index.
    let low = 0;
    let high = pages.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const span = pages[middle];
      if (span !== undefined && span.start <= index) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found < 0 ? firstPage : (pages[found]?.page ?? firstPage);
  };
}
