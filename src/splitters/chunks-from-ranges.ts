import type { Chunk, LoadedDocument } from '../core/types.ts';
import { createPageLocator } from './page-locator.ts';

/** Turns `[start, end)` ranges of a document's text into chunks: ids in order, the page each starts on, the text. */
export function chunksFromRanges(
  document: LoadedDocument,
  documentId: string,
  ranges: Iterable<readonly [number, number]>,
): Chunk[] {
  const pageAt = createPageLocator(document);
  const chunks: Chunk[] = [];
  for (const [start, end] of ranges) {
    chunks.push({
      id: `${documentId}#${chunks.length}`,
      documentId,
      source: document.source,
      page: pageAt(start),
      start,
      end,
      text: document.text.slice(start, end),
    });
  }
  return chunks;
}
