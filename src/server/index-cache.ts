import { embedAll } from '../embedders/embed-all.ts';
import type { Rag } from '../pipeline/create-rag.ts';
import type { SearchIndex } from '../retrieval/search-index.ts';
import type { ChatStore, StoredDocument } from '../storage/chat-store.ts';

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
}

interface Entry {
  index: Promise<SearchIndex>;
  /** Documents already in the index, so a load and a concurrent upload never add one twice. */
  documentIds: Set<string>;
}

/**
 * An LRU of at most `maxEntries` chat indexes. Stored vectors are reused when they were made by the
 * configured embedder; otherwise (the embedder changed since) the chunks are embedded again.
 */
export function createIndexCache(options: { rag: Rag; store: ChatStore; maxEntries: number }): IndexCache {
  const { rag, store } = options;
  const maxEntries = Math.max(1, options.maxEntries);
  const entries = new Map<string, Entry>();

  async function addTo(
    index: SearchIndex,
    documentIds: Set<string>,
    document: StoredDocument,
  ): Promise<void> {
    if (documentIds.has(document.summary.id)) return;
    const reusable = document.vectors !== null && document.embedder === rag.embedderName;
    let vectors = reusable ? document.vectors : null;
    if (index.embedder !== null && vectors === null) {
      vectors = await embedAll(
        index.embedder,
        document.chunks.map((chunk) => chunk.text),
      );
    }
    // Checked again: another add may have finished while this one was embedding.
    if (documentIds.has(document.summary.id)) return;
    documentIds.add(document.summary.id);
    index.add(document.chunks, index.embedder === null ? null : vectors);
  }

  async function load(chatId: string, documentIds: Set<string>): Promise<SearchIndex> {
    const index = rag.createIndex();
    for (const document of await store.loadDocuments(chatId)) await addTo(index, documentIds, document);
    return index;
  }

  /** A failed load or add drops the entry, so the next request rebuilds the index from the store. */
  function dropOnFailure(chatId: string, entry: Entry): void {
    entry.index.catch(() => {
      if (entries.get(chatId) === entry) entries.delete(chatId);
    });
  }

  function evictOverflow(): void {
    for (const chatId of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(chatId);
    }
  }

  /** Loads into a live index the documents it lacks; `false` when it holds one the chat no longer has. */
  function catchUp(chatId: string, entry: Entry, documentIds: readonly string[]): boolean {
    const wanted = new Set(documentIds);
    if ([...entry.documentIds].some((id) => !wanted.has(id))) return false;
    const missing = documentIds.filter((id) => !entry.documentIds.has(id));
    if (missing.length > 0) {
      entry.index = entry.index.then(async (index) => {
        for (const document of await store.loadDocuments(chatId, missing)) {
          await addTo(index, entry.documentIds, document);
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
      if (existing !== undefined && (documentIds === undefined || catchUp(chatId, existing, documentIds))) {
        entries.delete(chatId);
        entries.set(chatId, existing);
        return existing.index;
      }
      entries.delete(chatId);
      const loaded = new Set<string>();
      const entry: Entry = { index: load(chatId, loaded), documentIds: loaded };
      entries.set(chatId, entry);
      evictOverflow();
      dropOnFailure(chatId, entry);
      return entry.index;
    },

    async addDocument(chatId, document, built) {
      const entry = entries.get(chatId);
      if (entry === undefined) {
        if (built !== undefined) {
          entries.set(chatId, { index: Promise.resolve(built), documentIds: new Set([document.summary.id]) });
          evictOverflow();
        }
        return;
      }
      entry.index = entry.index.then(async (index) => {
        await addTo(index, entry.documentIds, document);
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
  };
}
