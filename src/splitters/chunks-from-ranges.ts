import { ocrPagesOf, withOcrFlags } from '../core/ocr-pages.ts';
import type { Chunk, LoadedDocument } from '../core/types.ts';
import { createPageLocator } from './page-locator.ts';
import { createSectionLocator } from './section-paths.ts';

/**
 * Turns `[start, end)` ranges of a document's text (in order) into chunks: ids in order, the page each starts on,
 * the text, the headings it lies under when the document has headings (see {@link createSectionLocator}), and
 * `ocr` when the page it starts on was read by OCR.
 */
export function chunksFromRanges(
  document: LoadedDocument,
  documentId: string,
  ranges: Iterable<readonly [number, number]>,
): Chunk[] {
  const pageAt = createPageLocator(document);
  const sectionAt = createSectionLocator(document.headings ?? []);
  const chunks: Chunk[] = [];
  for (const [start, end] of ranges) {
    const section = sectionAt(start, end);
    chunks.push({
      id: `${documentId}#${chunks.length}`,
      documentId,
      source: document.source,
      page: pageAt(start),
      start,
      end,
      text: document.text.slice(start, end),
      ...(section.length > 0 ? { section } : {}),
    });
  }
  return withOcrFlags(chunks, ocrPagesOf(document.pages));
}
