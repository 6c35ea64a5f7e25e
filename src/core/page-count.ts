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

/**
 * How much of a document was read by OCR, in words, the same in the CLI and the UI: `text read by OCR` for an
 * image, `all pages read by OCR` or `3 of 12 pages read by OCR` for a PDF; `null` when OCR read nothing.
 */
export function ocrPagesText(summary: Pick<DocumentSummary, 'pages' | 'ocrPages'>): string | null {
  const read = summary.ocrPages?.length ?? 0;
  if (read === 0) return null;
  if (summary.pages === null) return 'text read by OCR';
  if (read >= summary.pages) return 'all pages read by OCR';
  return `${read} of ${summary.pages} ${summary.pages === 1 ? 'page' : 'pages'} read by OCR`;
}
