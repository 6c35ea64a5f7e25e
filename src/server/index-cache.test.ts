import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { Embedder } from '../embedders/embedder.ts';
import { createLocalEmbedder } from '../embedders/local-embedder.ts';
import { createOpenAIEmbedder } from '../embedders/openai-embedder.ts';
import { createRag } from '../pipeline/create-rag.ts';
import type { StoredDocument } from '../storage/chat-store.ts';
import { makeStoredDocument } from '../storage/describe-chat-store.ts';
import { createSqliteChatStore } from '../storage/sqlite-chat-store.ts';
import { setupFakeOpenAIServer } from '../test-helpers/setup-fake-openai-server.ts';
import { createIndexCache, estimateIndexBytes } from './index-cache.ts';

/** The local embedder under another name, counting the texts it embeds. */
function countingEmbedder(name: string): Embedder & { texts: number } {
  const inner = createLocalEmbedder();
  const embedder = {
    name,
    dimensions: inner.dimensions,
    limits: inner.limits,
    texts: 0,
    async embed(texts: readonly string[], options?: { signal?: AbortSignal }) {
      embedder.texts += texts.length;
      return inner.embed(texts, options);
    },
  };
  return embedder;
}

async function setup(embedder: Embedder, maxEntries = 2) {
  const store = createSqliteChatStore({ path: ':memory:' });
  await store.createSession({ id: 's', createdAt: 0, lastSeenAt: 0 });
  for (const chatId of ['a', 'b', 'c']) await store.createChat({ id: chatId, sessionId: 's', createdAt: 0 });
  const rag = createRag(loadConfig({ DOCCHAT_RETRIEVER: 'hybrid' }), { embedder });
  return { store, rag, cache: createIndexCache({ rag, store, maxEntries }) };
}

function documentFrom(embedderName: string, id: string) {
  const document = makeStoredDocument(id, 3);
  const local = createLocalEmbedder();
  document.embedder = embedderName;
  document.vectors = document.chunks.map(() => new Float32Array(local.dimensions).fill(0.5));
  return document;
}

describe('createIndexCache', () => {
  it('rebuilds a chat index from the store, reusing vectors of the same embedder', async () => {
    const embedder = countingEmbedder('same');
    const { store, cache } = await setup(embedder);
    await store.addDocument('a', documentFrom('same', 'd1'), 1);
    const index = await cache.get('a');
    expect(index.chunks.map((chunk) => chunk.id)).toEqual(['d1#0', 'd1#1', 'd1#2']);
    expect(embedder.texts).toBe(0);
    expect(await cache.get('a')).toBe(index);
    await store.close();
  });

  it('embeds the chunks again when they were stored by another embedder', async () => {
    const embedder = countingEmbedder('new-model');
    const { store, cache } = await setup(embedder);
    await store.addDocument('a', documentFrom('old-model', 'd1'), 1);
    const index = await cache.get('a');
    expect(index.chunks).toHaveLength(3);
    expect(embedder.texts).toBe(3);
    await store.close();
  });

  it('adds a new document to a live index once, even while it is loading', async () => {
    const { store, cache } = await setup(countingEmbedder('same'));
    await store.addDocument('a', documentFrom('same', 'd1'), 1);
    const loading = cache.get('a');
    const second = documentFrom('same', 'd2');
    await store.addDocument('a', second, 2);
    await cache.addDocument('a', second);
    const index = await loading;
    expect(index.chunks.map((chunk) => chunk.documentId)).toEqual(['d1', 'd1', 'd1', 'd2', 'd2', 'd2']);
    // Not cached: nothing to add to; the next load reads it from the store.
    await cache.addDocument('b', documentFrom('same', 'd3'));
    expect(cache.size).toBe(1);
    await store.close();
  });

  it("adopts the index an upload built for a chat's first document, instead of rebuilding it", async () => {
    const { store, cache, rag } = await setup(countingEmbedder('same'));
    const first = documentFrom('same', 'd1');
    await store.addDocument('a', first, 1);
    const built = rag.createIndex();
    built.add(first.chunks, first.vectors);
    await cache.addDocument('a', first, built);
    expect(await cache.get('a')).toBe(built);
    const second = documentFrom('same', 'd2');
    await store.addDocument('a', second, 2);
    await cache.addDocument('a', second, rag.createIndex());
    expect((await cache.get('a')).chunks.map((chunk) => chunk.documentId)).toEqual([
      'd1',
      'd1',
      'd1',
      'd2',
      'd2',
      'd2',
    ]);
    await store.close();
  });

  it('catches up with documents another instance stored, loading only those', async () => {
    const { store, rag } = await setup(countingEmbedder('same'));
    const requested: (readonly string[] | undefined)[] = [];
    const watched = {
      ...store,
      loadDocuments(chatId: string, documentIds?: readonly string[]) {
        requested.push(documentIds);
        return store.loadDocuments(chatId, documentIds);
      },
    };
    const cache = createIndexCache({ rag, store: watched, maxEntries: 2 });
    await store.addDocument('a', documentFrom('same', 'd1'), 1);
    const index = await cache.get('a', ['d1']);
    // Stored through another instance: this cache was not told.
    await store.addDocument('a', documentFrom('same', 'd2'), 2);
    await store.addDocument('a', documentFrom('same', 'd3'), 3);
    const current = await cache.get('a', ['d1', 'd2', 'd3']);
    expect(current).toBe(index);
    expect(current.chunks.map((chunk) => chunk.documentId)).toEqual([
      ...['d1', 'd1', 'd1'],
      ...['d2', 'd2', 'd2'],
      ...['d3', 'd3', 'd3'],
    ]);
    expect(requested).toEqual([undefined, ['d2', 'd3']]);
    expect(await cache.get('a', ['d1', 'd2', 'd3'])).toBe(index);
    expect(requested).toHaveLength(2);
    await store.close();
  });

  it('rebuilds an index that holds a document the chat no longer lists', async () => {
    const { store, cache } = await setup(countingEmbedder('same'));
    await store.addDocument('a', documentFrom('same', 'd1'), 1);
    const index = await cache.get('a', ['d1']);
    await store.deleteChat('s', 'a');
    await store.createChat({ id: 'a', sessionId: 's', createdAt: 5 });
    await store.addDocument('a', documentFrom('same', 'd2'), 6);
    const rebuilt = await cache.get('a', ['d2']);
    expect(rebuilt).not.toBe(index);
    expect(rebuilt.chunks.map((chunk) => chunk.documentId)).toEqual(['d2', 'd2', 'd2']);
    await store.close();
  });

  it('keeps at most maxEntries indexes, dropping the least recently used', async () => {
    const { store, cache } = await setup(countingEmbedder('same'), 2);
    const a = await cache.get('a');
    await cache.get('b');
    await cache.get('a');
    await cache.get('c');
    expect(cache.size).toBe(2);
    expect(await cache.get('a')).toBe(a);
    cache.delete('a');
    expect(await cache.get('a')).not.toBe(a);
    await store.close();
  });
});

describe('createIndexCache, bounded by bytes', () => {
  it('evicts least recently used indexes past maxBytes, never the one just used', async () => {
    const store = createSqliteChatStore({ path: ':memory:' });
    await store.createSession({ id: 's', createdAt: 0, lastSeenAt: 0 });
    for (const chatId of ['a', 'b', 'c']) {
      await store.createChat({ id: chatId, sessionId: 's', createdAt: 0 });
      await store.addDocument(chatId, makeStoredDocument(`${chatId}-doc`, 50), 1);
    }
    const rag = createRag(loadConfig({}));
    const one = estimateIndexBytes((await store.loadDocuments('a'))[0] as StoredDocument);
    const cache = createIndexCache({ rag, store, maxBytes: one * 2 });
    await cache.get('a');
    const b = await cache.get('b');
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(one * 2);
    await cache.get('a'); // now b is the least recently used
    await cache.get('c');
    expect(cache.size).toBe(2);
    expect(await cache.get('b')).not.toBe(b);
    const tiny = createIndexCache({ rag, store, maxBytes: 1 });
    const index = await tiny.get('c');
    expect(index.chunks).toHaveLength(50);
    expect(tiny.size).toBe(1);
  });
});

describe('createIndexCache with a server whose embedding model changed under the same name', () => {
  const server = setupFakeOpenAIServer({ models: ['nomic-embed-text'] });

  it('detects the new dimension and embeds the stored passages again, with progress', async () => {
    server.configure({ embeddingDimensions: { 'nomic-embed-text': 32 } });
    const embedder = createOpenAIEmbedder({ baseURL: server.url, model: 'nomic-embed-text' });
    const store = createSqliteChatStore({ path: ':memory:' });
    await store.createSession({ id: 's', createdAt: 0, lastSeenAt: 0 });
    await store.createChat({ id: 'a', sessionId: 's', createdAt: 0 });
    const document = makeStoredDocument('d1', 3);
    document.embedder = 'nomic-embed-text';
    // Stored when the server's model gave 16 dimensions.
    document.vectors = document.chunks.map(() => new Float32Array(16).fill(0.25));
    await store.addDocument('a', document, 1);
    const lines: string[] = [];
    const rag = createRag(loadConfig({ DOCCHAT_RETRIEVER: 'hybrid' }), { embedder });
    const cache = createIndexCache({
      rag,
      store,
      maxEntries: 2,
      logger: { info: (event, fields) => lines.push(`${event} ${fields?.done ?? ''}`), error: () => {} },
    });
    const index = await cache.get('a');
    expect(embedder.dimensions).toBe(32);
    expect(lines).toContain('reindex_started ');
    expect(lines).toContain('reindex_progress 3');
    expect((await index.retrieve(document.chunks[0]?.text ?? '', { k: 1 }))[0]?.chunk.id).toBe('d1#0');

    server.configure({ embeddingDimensions: { 'nomic-embed-text': 8 } });
    server.fail({ kind: 'not-implemented' }, { endpoint: 'embeddings', times: 10 });
    const failing = createOpenAIEmbedder({ baseURL: server.url, model: 'nomic-embed-text', dimensions: 8 });
    const other = createIndexCache({
      rag: createRag(loadConfig({ DOCCHAT_RETRIEVER: 'hybrid' }), { embedder: failing }),
      store,
      maxEntries: 2,
    });
    await expect(other.get('a')).rejects.toMatchObject({ code: 'embedding_mismatch' });
    await store.close();
  });
});
