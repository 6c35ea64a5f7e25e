import type { Chunk, LoadedDocument } from '../core/types.ts';

/** Cuts a loaded document into chunks whose offsets point back into `document.text`. */
export interface TextSplitter {
  /** `documentId` prefixes chunk ids (`${documentId}#${i}`); it defaults to the document's source. */
  split(document: LoadedDocument, documentId?: string): Chunk[];
}
