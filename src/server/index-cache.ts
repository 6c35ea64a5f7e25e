import { DocchatError, toDocchatError } from '../core/errors.ts';
import { embedAll } from '../embedders/embed-all.ts';
import type { Embedder } from '../embedders/embedder.ts';
import type { Rag } from '../pipeline/create-rag.ts';
import { addInSlices } from '../retrieval/add-in-slices.ts';
import type { SearchIndex } from '../retrieval/search-index.ts';
import type { ChatStore, StoredDocument } from '../storage/chat-store.ts';
import type { Logger } from './logger.ts';

/** The live search indexes of recently used chats, rebuilt from the store when missing (e.g. after a restart). */
export interface IndexCache {
  /**
   * The chat's index, loading it from the store on first use. Concurrent callers share one load. With
   * `documentIds` (the chat's documents as the store lists them now), a live index is first brought up to date:
   * documents another instance added are loaded alone, and an index holding a document the chat no longer has
   * is rebuilt.
   */
  get(chatId: string, documentIds?: readonly string[]): Promise<SearchIndex>;
  /**
   * Adds a just-stored document to the chat's index if that index is live (otherwise the next load has it).
   * `built`, an index holding exactly this document, becomes the chat's live index when the chat has none and
   * this is its first document, so a new chat's first question does not rebuild what the upload just built.
   * Never throws: a failure drops the entry, and the next `get` rebuilds it from the store.
   */
  addDocument(chatId: string, document: StoredDocument, built?: SearchIndex): Promise<void>;
  /** Forgets a chat's index (the chat was deleted). */
  delete(chatId: string): void;
  clear(): void;
  /** How many indexes are held. */
  readonly size: number;
  /** The estimated memory the held indexes take, in bytes (see {@link estimateIndexBytes}). */
  readonly bytes: number;
}

interface Entry {
  index: Promise<SearchIndex>;
  /** Documents already in the index, so a load and a concurrent upload never add one twice. */
  documentIds: Set<string>;
  /** Estimated bytes of the documents added so far. */
  bytes: number;
  /** The length of the index's vectors (0 before any, or without an embedder), and the embedder that made them. */
  dimensions: number;
  embedder: Embedder | null;
}

/** Options of {@link createIndexCache}. */
export interface IndexCacheOptions {
  rag: Rag;
  store: ChatStore;
  /** Estimated bytes the held indexes may take (DOCCHAT_INDEX_CACHE_BYTES); the index in use is always kept. */
  maxBytes?: number;
  /** Most indexes held, whatever their size. No bound by default. */
  maxEntries?: number;
  /** Told of re-embedding (a changed embedding model or dimension), with progress. */
  logger?: Logger;
}

/**
 * Measured on ten 2 MB English documents (after a full collection): a lexical index holds 1.3 bytes per character
 * of chunk text (one-byte strings, BM25 postings, per-chunk records); 2 also covers two-byte (non-Latin) text.
 */
const bytesPerCharacter = 2;
const bytesPerChunk = 200;

/** What a document adds to an index's memory, estimated from its chunks and vectors. */
export function estimateIndexBytes(document: StoredDocument): number {
  let bytes = 0;
  for (const chunk of document.chunks) bytes += chunk.text.length * bytesPerCharacter + bytesPerChunk;
  for (const vector of document.vectors ?? []) bytes += vector.byteLength;
  return bytes;
}

/**
 * An LRU of chat indexes bounded by their estimated memory (and optionally by count). Stored vectors are reused
 * when they were made by the configured embedder; otherwise (the embedder changed since) the chunks are embedded
 * again. Indexes are built a slice of chunks at a time, so a rebuild never stalls the event loop.
 */
export function createIndexCache(options: IndexCacheOptions): IndexCache {
  const { rag, store } = options;
  const maxEntries = Math.max(1, options.maxEntries ?? Number.POSITIVE_INFINITY);
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const entries = new Map<string, Entry>();

  async function addTo(
    index: SearchIndex,
    entry: Pick<Entry, 'documentIds' | 'bytes' | 'dimensions' | 'embedder'>,
    document: StoredDocument,
  ) {
    const { documentIds } = entry;
    if (documentIds.has(document.summary.id)) return;
    let vectors = document.embedder === rag.embedderName ? document.vectors : null;
    // The same model name may now give vectors of another length (the server was given another model).
    if (
      index.embedder !== null &&
      vectors !== null &&
      !(await sameDimensions(index.embedder, vectors, document))
    )
      vectors = null;
    if (index.embedder !== null && vectors === null) {
      vectors = await reembed(index.embedder, document);
    }
    // Checked again: another add may have finished while this one was embedding.
    if (documentIds.has(document.summary.id)) return;
    documentIds.add(document.summary.id);
    entry.bytes += estimateIndexBytes(document);
    await addInSlices(index, document.chunks, index.embedder === null ? null : vectors);
    entry.dimensions = index.dimensions;
    entry.embedder = index.embedder;
    evictOverflow();
  }

  async function sameDimensions(
    embedder: Embedder,
    vectors: readonly Float32Array[],
    document: StoredDocument,
  ): Promise<boolean> {
    const stored = vectors[0]?.length ?? 0;
    if (embedder.dimensions === 0 && document.chunks[0] !== undefined) {
      // A server's model tells its length only by answering: one passage asks it.
      await embedAll(embedder, [document.chunks[0].text]);
    }
    return embedder.dimensions === 0 || embedder.dimensions === stored;
  }

  /** Embeds a stored document's passages again with the configured embedder, logging progress. */
  async function reembed(embedder: Embedder, document: StoredDocument): Promise<Float32Array[]> {
    const fields = { documentId: document.summary.id, from: document.embedder, to: embedder.name };
    options.logger?.info('reindex_started', { ...fields, total: document.chunks.length });
    try {
      return await embedAll(
        embedder,
        document.chunks.map((chunk) => chunk.text),
        { onProgress: (done, total) => options.logger?.info('reindex_progress', { ...fields, done, total }) },
      );
    } catch (error) {
      const failure = toDocchatError(error);
      if (failure.code === 'aborted') throw failure;
      throw new DocchatError(
        'embedding_mismatch',
        `This chat's passages were embedded with "${document.embedder ?? 'no model'}" and must be embedded again with "${embedder.name}", which failed: ${failure.message}`,
        { cause: failure, details: { from: document.embedder, to: embedder.name } },
      );
    }
  }

  async function load(
    entry: Pick<Entry, 'documentIds' | 'bytes' | 'dimensions' | 'embedder'>,
    chatId: string,
  ): Promise<SearchIndex> {
    const index = rag.createIndex();
    for (const document of await store.loadDocuments(chatId)) await addTo(index, entry, document);
    return index;
  }

  /** A failed load or add drops the entry, so the next request rebuilds the index from the store. */
  function dropOnFailure(chatId: string, entry: Entry): void {
    entry.index.catch(() => {
      if (entries.get(chatId) === entry) entries.delete(chatId);
    });
  }

  function totalBytes(): number {
    let bytes = 0;
    for (const entry of entries.values()) bytes += entry.bytes;
    return bytes;
  }

  /** Drops least recently used indexes past the bounds, never the most recent one (the one being used). */
  function evictOverflow(): void {
    let bytes = totalBytes();
    for (const [chatId, entry] of entries) {
      if (entries.size <= 1 || (entries.size <= maxEntries && bytes <= maxBytes)) break;
      entries.delete(chatId);
      bytes -= entry.bytes;
    }
  }

  /**
   * An index whose vectors are of another length than the embedder now gives: the server behind it was given
   * another model. It is rebuilt, which embeds the stored passages again.
   */
  function stale(entry: Entry): boolean {
    const now = entry.embedder?.dimensions ?? 0;
    return entry.dimensions > 0 && now > 0 && now !== entry.dimensions;
  }

  /** Loads into a live index the documents it lacks; `false` when it holds one the chat no longer has. */
  function catchUp(chatId: string, entry: Entry, documentIds: readonly string[]): boolean {
    const wanted = new Set(documentIds);
    if ([...entry.documentIds].some((id) => !wanted.has(id))) return false;
    const missing = documentIds.filter((id) => !entry.documentIds.has(id));
    if (missing.length > 0) {
      entry.index = entry.index.then(async (index) => {
        for (const document of await store.loadDocuments(chatId, missing)) {
          await addTo(index, entry, document);
        }
        return index;
      });
      dropOnFailure(chatId, entry);
    }
    return true;
  }

  return {
    get(chatId, documentIds) {
      const existing = entries.get(chatId);
      if (
        existing !== undefined &&
        !stale(existing) &&
        (documentIds === undefined || catchUp(chatId, existing, documentIds))
      ) {
        entries.delete(chatId);
        entries.set(chatId, existing);
        return existing.index;
      }
      entries.delete(chatId);
      const entry: Entry = {
        index: Promise.resolve(rag.createIndex()),
        documentIds: new Set(),
        bytes: 0,
        dimensions: 0,
        embedder: null,
      };
      entry.index = load(entry, chatId);
      entries.set(chatId, entry);
      evictOverflow();
      dropOnFailure(chatId, entry);
      return entry.index;
    },

    async addDocument(chatId, document, built) {
      const entry = entries.get(chatId);
      if (entry === undefined) {
        if (built !== undefined) {
          entries.set(chatId, {
            index: Promise.resolve(built),
            documentIds: new Set([document.summary.id]),
            bytes: estimateIndexBytes(document),
            dimensions: built.dimensions,
            embedder: built.embedder,
          });
          evictOverflow();
        }
        return;
      }
      entry.index = entry.index.then(async (index) => {
        await addTo(index, entry, document);
        return index;
      });
      dropOnFailure(chatId, entry);
      await entry.index.catch(() => {});
    },

    delete(chatId) {
      entries.delete(chatId);
    },

    clear() {
      entries.clear();
    },

    get size() {
      return entries.size;
    },

    get bytes() {
      return totalBytes();
    },
  };
}
