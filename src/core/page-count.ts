import type { DocumentSummary } from './types.ts';

/**
 * A document's pages in words, the same in the CLI and the UI: `22 pages`, or `9 of 22 pages could be read` for
 * a damaged or truncated PDF; `null` for documents without pages.
 */
export function pageCountText(summary: Pick<DocumentSummary, 'pages' | 'readablePages'>): string | null {
  const { pages, readablePages } = summary;
  if (pages === null) return null;
  if (readablePages !== undefined && readablePages < pages) {
    return `${readablePages} of ${pages} pages could be read`;
  }
  return `${pages} ${pages === 1 ? 'page' : 'pages'}`;
}
