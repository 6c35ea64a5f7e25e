import type { Chunk, PageSpan } from './types.ts';

/** The numbers of the pages whose text was read by OCR, in order. */
export function ocrPagesOf(pages: readonly PageSpan[]): number[] {
  return pages.filter((span) => span.ocr).map((span) => span.page);
}

/**
 * Flags the chunks that start on a page read by OCR (`chunk.ocr`), so that wherever a passage is shown it can say
 * so. The same rule at ingest and when a stored document is loaded again, which keeps only the page numbers.
 */
export function withOcrFlags(chunks: Chunk[], ocrPages: readonly number[] | undefined): Chunk[] {
  if (ocrPages === undefined || ocrPages.length === 0) return chunks;
  const read = new Set(ocrPages);
  return chunks.map((chunk) =>
    chunk.page !== null && read.has(chunk.page) ? { ...chunk, ocr: true } : chunk,
  );
}
