import { randomUUID } from 'node:crypto';
import { throwIfAborted } from '../core/errors.ts';
import type { IngestStage, RagEvent } from '../core/events.ts';
import { ocrPagesOf } from '../core/ocr-pages.ts';
import type { Chunk, DocumentSummary, LoadedDocument } from '../core/types.ts';
import { embedAll } from '../embedders/embed-all.ts';
import { type DocumentLimits, documentTooLarge } from '../loaders/document-limits.ts';
import { loadDocument } from '../loaders/load-document.ts';
import type { Loader, LoadInput } from '../loaders/loader.ts';
import { addInSlices } from '../retrieval/add-in-slices.ts';
import type { SearchIndex } from '../retrieval/search-index.ts';
import type { TextSplitter } from '../splitters/text-splitter.ts';

/** Options of {@link ingestDocument}. */
export interface IngestOptions {
  index: SearchIndex;
  splitter: TextSplitter;
  password?: string;
  signal?: AbortSignal;
  /** Prefix of the chunk ids; a random id by default. */
  documentId?: string;
  /** Receives `progress` events as the stages advance. */
  onEvent?: (event: RagEvent) => void;
  /** Parses the file; {@link loadDocument} on this thread by default (the server passes a worker pool's). */
  load?: Loader['load'];
  /** Bounds on the document; past one, `document_too_large`. None by default. */
  limits?: DocumentLimits & { maxChunks?: number };
  /** Whose upload this is, so a shared pool of parsers takes turns fairly (the server passes the session). */
  queueKey?: string;
  /** Passed to the loader (`LoadOptions.heldUntil`): settles when the caller is done with the document. */
  heldUntil?: Promise<unknown>;
  /**
   * Whether the chunks go into `index` (default true). False only embeds them with the index's embedder: for a
   * caller that adds the stored document to a live index itself, so it is never indexed twice.
   */
  addToIndex?: boolean;
}

/** What ingestion produced: enough to show the document, persist it and restore its index later. */
export interface IngestResult {
  document: LoadedDocument;
  summary: DocumentSummary;
  chunks: Chunk[];
  /** The chunk vectors in chunk order, or `null` for an index without an embedder. */
  vectors: Float32Array[] | null;
  timings: { parseMs: number; splitMs: number; embedMs: number; indexMs: number };
}

/** Loads, splits, embeds and indexes one file: the whole path from upload to ready. */
export async function ingestDocument(input: LoadInput, options: IngestOptions): Promise<IngestResult> {
  const { index, signal } = options;
  const documentId = options.documentId ?? randomUUID();
  const progress = (stage: IngestStage, done: number, total: number, ocr?: boolean) =>
    options.onEvent?.({ type: 'progress', source: input.name, stage, done, total, ...(ocr ? { ocr } : {}) });

  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = now - mark;
    mark = now;
    return elapsed;
  };

  const load = options.load ?? loadDocument;
  const { maxChunks, ...documentLimits } = options.limits ?? {};
  const document = await load(input, {
    password: options.password,
    signal,
    onProgress: (done, total, detail) => progress('parse', done, total, detail?.ocr),
    limits: documentLimits,
    ...(options.queueKey === undefined ? {} : { queueKey: options.queueKey }),
    ...(options.heldUntil === undefined ? {} : { heldUntil: options.heldUntil }),
  });
  const parseMs = lap();

  throwIfAborted(signal);
  const chunks = options.splitter.split(document, documentId);
  if (maxChunks !== undefined && chunks.length > maxChunks)
    throw documentTooLarge(input.name, 'chunks', maxChunks);
  progress('split', chunks.length, chunks.length);
  const splitMs = lap();

  let vectors: Float32Array[] | null = null;
  if (index.embedder) {
    vectors = await embedAll(
      index.embedder,
      chunks.map((chunk) => chunk.text),
      { signal, onProgress: (done, total) => progress('embed', done, total) },
    );
  }
  const embedMs = lap();

  throwIfAborted(signal);
  if (options.addToIndex !== false) await addInSlices(index, chunks, vectors, { signal });
  progress('index', chunks.length, chunks.length);
  const indexMs = lap();

  const ocrPages = ocrPagesOf(document.pages);
  const summary: DocumentSummary = {
    id: documentId,
    source: document.source,
    kind: document.kind,
    pages: document.kind === 'pdf' ? document.pages.length : null,
    ...(document.readablePages === undefined ? {} : { readablePages: document.readablePages }),
    chunks: chunks.length,
    characters: document.text.length,
    ...(ocrPages.length > 0 ? { ocrPages } : {}),
  };
  return { document, summary, chunks, vectors, timings: { parseMs, splitMs, embedMs, indexMs } };
}
