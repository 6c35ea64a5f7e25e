import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import type { ChatStore, StoredDocument } from './chat-store.ts';

/** Builds a small document with `count` chunks and (optionally) 3-dimensional vectors. */
export function makeStoredDocument(id: string, count: number, withVectors = true): StoredDocument {
  const chunks: Chunk[] = Array.from({ length: count }, (_, i) => ({
    id: `${id}#${i}`,
    documentId: id,
    source: `${id}.txt`,
    page: i % 2 === 0 ? null : i,
    start: i * 10,
    end: i * 10 + 9,
    text: `chunk ${i} of ${id} — ünïcødé`,
    ...(i % 3 === 1 ? { section: ['1 Introduction', `1.${i} Détails`] } : {}),
  }));
  return {
    summary: { id, source: `${id}.txt`, kind: 'text', pages: null, chunks: count, characters: count * 10 },
    embedder: withVectors ? 'test-embedder-3' : null,
    chunks,
    vectors: withVectors ? chunks.map((_, i) => new Float32Array([i, -i / 3, 0.1])) : null,
  };
}

/** Builds a document whose chunks are overlapping slices of one text, as the splitters make them. */
export function makeOverlappingDocument(
  id: string,
  text: string,
  size: number,
  overlap: number,
): StoredDocument {
  const chunks: Chunk[] = [];
  for (let start = 0; start < text.length; start += size - overlap) {
    const end = Math.min(text.length, start + size);
    chunks.push({
      id: `${id}#${chunks.length}`,
      documentId: id,
      source: `${id}.pdf`,
      page: 1 + Math.floor(start / 100),
      start,
      end,
      text: text.slice(start, end),
    });
    if (end === text.length) break;
  }
  return {
    summary: {
      id,
      source: `${id}.pdf`,
      kind: 'pdf',
      pages: 1 + Math.floor(text.length / 100),
      chunks: chunks.length,
      characters: text.length,
    },
    embedder: 'test-embedder-2',
    chunks,
    vectors: chunks.map((_, i) => new Float32Array([i / 7, Math.PI])),
  };
}

/**
 * The behaviour every {@link ChatStore} must have, as a vitest suite. `open` returns a fresh, empty store;
 * `reopen` (optional) reopens the same storage after `close()` to check durability.
 */
export function describeChatStore(
  label: string,
  open: () => Promise<ChatStore>,
  reopen?: () => Promise<ChatStore>,
): void {
  describe(`ChatStore: ${label}`, () => {
    let store: ChatStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    async function withChat(sessionId = 's1', chatId = 'c1', at = 1000) {
      if ((await store.getSession(sessionId)) === null) {
        await store.createSession({ id: sessionId, createdAt: at, lastSeenAt: at });
      }
      return store.createChat({ id: chatId, sessionId, createdAt: at });
    }

    it('creates, reads and touches sessions', async () => {
      expect(await store.getSession('nope')).toBeNull();
      await store.createSession({ id: 's1', createdAt: 10, lastSeenAt: 10 });
      await store.touchSession('s1', 50);
      await store.touchSession('s1', 20);
      expect(await store.getSession('s1')).toEqual({ id: 's1', createdAt: 10, lastSeenAt: 50 });
    });

    it('creates chats, lists them newest first and keeps them to their session', async () => {
      await withChat('s1', 'a', 100);
      await withChat('s1', 'b', 200);
      await withChat('s2', 'c', 300);
      expect((await store.listChats('s1')).map((chat) => chat.id)).toEqual(['b', 'a']);
      expect(await store.getChat('s2', 'a')).toBeNull();
      expect(await store.getChat('s1', 'a')).toMatchObject({
        id: 'a',
        sessionId: 's1',
        documents: [],
        uploads: [],
      });
      await store.addMessage('a', { id: 'm1', role: 'user', content: 'hi', createdAt: 400 });
      expect((await store.listChats('s1')).map((chat) => chat.id)).toEqual(['a', 'b']);
      expect((await store.getChat('s1', 'a'))?.updatedAt).toBe(400);
    });

    it('refuses a chat for a session that does not exist', async () => {
      await expect(store.createChat({ id: 'x', sessionId: 'ghost', createdAt: 1 })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('round-trips documents with chunks and exact Float32 vectors, in upload order', async () => {
      await withChat();
      const first = makeStoredDocument('d1', 3);
      const second = makeStoredDocument('d2', 2, false);
      await store.addDocument('c1', first, 2000);
      await store.addDocument('c1', second, 3000);
      const loaded = await store.loadDocuments('c1');
      expect(loaded).toHaveLength(2);
      expect(loaded[0]?.summary).toEqual(first.summary);
      expect(loaded[0]?.chunks).toEqual(first.chunks);
      expect(loaded[0]?.embedder).toBe('test-embedder-3');
      expect(loaded[0]?.vectors?.map((vector) => Array.from(vector))).toEqual(
        first.vectors?.map((vector) => Array.from(vector)),
      );
      expect(loaded[0]?.vectors?.[1]).toBeInstanceOf(Float32Array);
      expect(loaded[1]).toMatchObject({ embedder: null, vectors: null, chunks: second.chunks });
      const chat = await store.getChat('s1', 'c1');
      expect(chat?.documents.map((document) => document.id)).toEqual(['d1', 'd2']);
      expect(chat?.updatedAt).toBe(3000);
    });

    it('loads only the documents asked for, in upload order', async () => {
      await withChat();
      await withChat('s1', 'other');
      for (const id of ['d1', 'd2', 'd3']) await store.addDocument('c1', makeStoredDocument(id, 2), 1);
      await store.addDocument('other', makeStoredDocument('d4', 2), 1);
      const loaded = await store.loadDocuments('c1', ['d3', 'd1', 'd4', 'ghost']);
      expect(loaded.map((document) => document.summary.id)).toEqual(['d1', 'd3']);
      expect(loaded[1]?.chunks).toEqual(makeStoredDocument('d3', 2).chunks);
      expect(await store.loadDocuments('c1', [])).toEqual([]);
    });

    it("keeps a document's original file and layout, readable only through its own chat", async () => {
      await withChat('s1', 'c1');
      await withChat('s1', 'other');
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
      const document: StoredDocument = {
        ...makeStoredDocument('d1', 2),
        file: { contentType: 'application/pdf', bytes },
        layout: {
          text: 'Hello wörld\n\nPage two',
          boxes: [
            { page: 1, x: 0.1, y: 0.2, width: 0.3125, height: 0.015625, start: 0, end: 11 },
            { page: 2, x: 0, y: 0.05, width: 1, height: 0.1, start: 13, end: 21 },
          ],
        },
      };
      await store.addDocument('c1', document, 1);
      await store.addDocument('c1', makeStoredDocument('d2', 1), 2);
      const file = await store.getDocumentFile('c1', 'd1');
      expect(file?.contentType).toBe('application/pdf');
      expect(file?.bytes).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(file?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
      expect(await store.getDocumentLayout('c1', 'd1')).toEqual(document.layout);
      // Heavy parts stay out of index rebuilds.
      const [loaded] = await store.loadDocuments('c1');
      expect(loaded?.file).toBeUndefined();
      expect(loaded?.layout).toBeUndefined();
      // A document without them, one that does not exist, and one of another chat read as null.
      expect(await store.getDocumentFile('c1', 'd2')).toBeNull();
      expect(await store.getDocumentLayout('c1', 'd2')).toBeNull();
      expect(await store.getDocumentFile('c1', 'ghost')).toBeNull();
      expect(await store.getDocumentFile('other', 'd1')).toBeNull();
      expect(await store.getDocumentLayout('other', 'd1')).toBeNull();
    });

    it("keeps an empty layout and a text file's media type", async () => {
      await withChat();
      const text = 'line one\nline two';
      await store.addDocument(
        'c1',
        {
          ...makeStoredDocument('d1', 1),
          file: { contentType: 'text/plain; charset=utf-8', bytes: new TextEncoder().encode(text) },
          layout: { text, boxes: [] },
        },
        1,
      );
      const file = await store.getDocumentFile('c1', 'd1');
      expect(file?.contentType).toBe('text/plain; charset=utf-8');
      expect(new TextDecoder().decode(file?.bytes)).toBe(text);
      expect(await store.getDocumentLayout('c1', 'd1')).toEqual({ text, boxes: [] });
    });

    it('deletes files and layouts with their chat and their session', async () => {
      await withChat('s1', 'c1');
      await withChat('s2', 'c2');
      const withFile = (id: string): StoredDocument => ({
        ...makeStoredDocument(id, 1),
        file: { contentType: 'application/pdf', bytes: new Uint8Array([37, 80, 68, 70]) },
        layout: { text: 'x', boxes: [{ page: 1, x: 0, y: 0, width: 1, height: 1, start: 0, end: 1 }] },
      });
      await store.addDocument('c1', withFile('d1'), 1);
      await store.addDocument('c2', withFile('d2'), 1);
      await store.deleteChat('s1', 'c1');
      await store.deleteSession('s2');
      expect(await store.getDocumentFile('c1', 'd1')).toBeNull();
      expect(await store.getDocumentLayout('c1', 'd1')).toBeNull();
      expect(await store.getDocumentFile('c2', 'd2')).toBeNull();
      // The same ids can be used again: nothing was left behind.
      await withChat('s1', 'c1');
      await store.addDocument('c1', withFile('d1'), 2);
      expect(await store.getDocumentLayout('c1', 'd1')).toEqual(withFile('d1').layout);
    });

    it('rejects writes to a chat that does not exist with not_found, and keeps nothing', async () => {
      await expect(store.addDocument('ghost', makeStoredDocument('d1', 2), 1)).rejects.toBeInstanceOf(
        DocchatError,
      );
      await expect(
        store.addMessage('ghost', { id: 'm', role: 'user', content: 'x', createdAt: 1 }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.loadDocuments('ghost')).toEqual([]);
    });

    it('keeps a failed document write atomic', async () => {
      await withChat();
      const broken = makeStoredDocument('d1', 3);
      broken.vectors = [new Float32Array([1])];
      await expect(store.addDocument('c1', broken, 1)).rejects.toThrow();
      expect(await store.loadDocuments('c1')).toEqual([]);
      expect((await store.getChat('s1', 'c1'))?.documents).toEqual([]);
    });

    it('stores messages with their optional fields, in order', async () => {
      await withChat();
      await store.addMessage('c1', { id: 'm1', role: 'user', content: 'What?', createdAt: 5 });
      const answer = {
        id: 'm2',
        role: 'assistant' as const,
        content: 'Partial',
        createdAt: 5,
        status: 'stopped' as const,
        query: 'What?',
        model: { name: 'extractive', extractive: true },
        sources: [
          { n: 1, id: 'd#0', source: 'd.txt', page: null, start: 0, end: 3, text: 'abc', score: 0.5 },
          {
            n: 2,
            id: 'd#1',
            source: 'd.txt',
            page: 2,
            start: 4,
            end: 9,
            text: 'defgh',
            score: 0.25,
            section: ['2 Method'],
          },
        ],
      };
      await store.addMessage('c1', answer);
      await store.addMessage('c1', {
        id: 'm3',
        role: 'assistant',
        content: '',
        createdAt: 6,
        status: 'error',
        error: { error: 'rate_limited', message: 'Slow down.' },
      });
      const messages = await store.listMessages('c1');
      expect(messages.map((message) => message.id)).toEqual(['m1', 'm2', 'm3']);
      expect(messages[0]).toEqual({ id: 'm1', role: 'user', content: 'What?', createdAt: 5 });
      expect(messages[1]).toEqual(answer);
      expect(messages[2]?.error).toEqual({ error: 'rate_limited', message: 'Slow down.' });
    });

    it('orders messages by when they were added, not by their timestamps', async () => {
      await withChat();
      // Instances with skewed clocks: a later message may carry an earlier time.
      await store.addMessage('c1', { id: 'late-clock', role: 'user', content: 'a', createdAt: 900 });
      await store.addMessage('c1', { id: 'early-clock', role: 'assistant', content: 'b', createdAt: 100 });
      await store.addMessage('c1', { id: 'same-time', role: 'user', content: 'c', createdAt: 100 });
      expect((await store.listMessages('c1')).map((message) => message.id)).toEqual([
        'late-clock',
        'early-clock',
        'same-time',
      ]);
    });

    it('deletes a chat with everything it owns, and only for its own session', async () => {
      await withChat();
      await withChat('s1', 'keep');
      await store.addDocument('c1', makeStoredDocument('d1', 2), 1);
      await store.addDocument('keep', makeStoredDocument('d2', 2), 1);
      await store.addMessage('c1', { id: 'm1', role: 'user', content: 'x', createdAt: 1 });
      expect(await store.deleteChat('s2', 'c1')).toBe(false);
      expect(await store.deleteChat('s1', 'c1')).toBe(true);
      expect(await store.deleteChat('s1', 'c1')).toBe(false);
      expect(await store.loadDocuments('c1')).toEqual([]);
      expect(await store.listMessages('c1')).toEqual([]);
      expect(await store.loadDocuments('keep')).toHaveLength(1);
      // The ids are free again: nothing of the old chat is left behind.
      await withChat('s1', 'c1');
      await store.addDocument('c1', makeStoredDocument('d1', 2), 1);
    });

    it('deletes a session and reports its chats', async () => {
      await withChat('s1', 'a');
      await withChat('s1', 'b');
      await withChat('s2', 'c');
      await store.addDocument('a', makeStoredDocument('d1', 2), 1);
      expect((await store.deleteSession('s1')).sort()).toEqual(['a', 'b']);
      expect(await store.getSession('s1')).toBeNull();
      expect(await store.loadDocuments('a')).toEqual([]);
      expect(await store.listChats('s1')).toEqual([]);
      expect(await store.listChats('s2')).toHaveLength(1);
    });

    it('deletes idle sessions only', async () => {
      await withChat('old', 'a', 100);
      await withChat('new', 'b', 100);
      await store.touchSession('new', 900);
      await store.addMessage('a', { id: 'm1', role: 'user', content: 'x', createdAt: 150 });
      expect(await store.deleteSessionsIdleSince(500)).toEqual(['a']);
      expect(await store.getSession('old')).toBeNull();
      expect(await store.listMessages('a')).toEqual([]);
      expect(await store.getSession('new')).not.toBeNull();
      expect(await store.deleteSessionsIdleSince(500)).toEqual([]);
    });

    it('round-trips overlapping chunks, odd ids and sources exactly', async () => {
      await withChat();
      const text = 'Ünïcødé 😀 text, '.repeat(40);
      const document = makeOverlappingDocument('d1', text, 50, 12);
      const odd = document.chunks[2];
      if (odd !== undefined) {
        odd.id = 'custom-id';
        odd.source = 'other.pdf';
      }
      document.summary.readablePages = 3;
      await store.addDocument('c1', document, 1);
      const [loaded] = await store.loadDocuments('c1');
      expect(loaded?.summary).toEqual(document.summary);
      expect((await store.getChat('s1', 'c1'))?.documents[0]?.readablePages).toBe(3);
      expect(loaded?.chunks).toEqual(document.chunks);
      expect(loaded?.vectors?.map((vector) => Array.from(vector))).toEqual(
        document.vectors?.map((vector) => Array.from(vector)),
      );
    });

    it('keeps the pages read by OCR, and flags the chunks that start on them when loading', async () => {
      await withChat();
      const document = makeOverlappingDocument('d1', 'Scanned words, read by OCR. '.repeat(20), 50, 10);
      document.summary.ocrPages = [2, 4];
      await store.addDocument('c1', document, 1);
      expect((await store.getChat('s1', 'c1'))?.documents[0]?.ocrPages).toEqual([2, 4]);
      const [loaded] = await store.loadDocuments('c1');
      expect(loaded?.summary.ocrPages).toEqual([2, 4]);
      const flagged = loaded?.chunks.filter((chunk) => chunk.ocr).map((chunk) => chunk.page);
      expect(flagged?.length).toBeGreaterThan(0);
      expect(new Set(flagged)).toEqual(
        new Set([2, 4].filter((page) => document.chunks.some((c) => c.page === page))),
      );
      expect(
        loaded?.chunks.filter((chunk) => !chunk.ocr).every((chunk) => chunk.page !== 2 && chunk.page !== 4),
      ).toBe(true);
    });

    it('records uploads until their document is stored, and discards them', async () => {
      await withChat();
      await store.beginUpload('c1', { id: 'd1', source: 'a.pdf', createdAt: 5 });
      await store.beginUpload('c1', { id: 'd2', source: 'b.txt', createdAt: 6 });
      expect((await store.getChat('s1', 'c1'))?.uploads).toEqual([
        { id: 'd1', source: 'a.pdf', createdAt: 5, status: 'ingesting' },
        { id: 'd2', source: 'b.txt', createdAt: 6, status: 'ingesting' },
      ]);
      expect(await store.loadDocuments('c1')).toEqual([]);
      await store.addDocument('c1', makeStoredDocument('d1', 2), 7);
      await store.discardUpload('c1', 'd2');
      const chat = await store.getChat('s1', 'c1');
      expect(chat?.uploads).toEqual([]);
      expect(chat?.documents.map((document) => document.id)).toEqual(['d1']);
      await expect(store.beginUpload('ghost', { id: 'd3', source: 'x', createdAt: 1 })).rejects.toMatchObject(
        { code: 'not_found' },
      );
    });

    it('marks what a crash cut off: streaming answers interrupted, ingesting uploads failed', async () => {
      await withChat();
      await store.beginUpload('c1', { id: 'd1', source: 'a.pdf', createdAt: 5 });
      await store.addMessage('c1', { id: 'm1', role: 'user', content: 'Q?', createdAt: 5 });
      await store.addMessage('c1', {
        id: 'm2',
        role: 'assistant',
        content: 'Half',
        createdAt: 6,
        status: 'streaming',
      });
      await store.addMessage('c1', {
        id: 'm3',
        role: 'assistant',
        content: 'Done',
        createdAt: 7,
        status: 'complete',
      });
      expect(await store.recoverInterrupted()).toEqual({ messages: 1, uploads: 1 });
      expect(await store.recoverInterrupted()).toEqual({ messages: 0, uploads: 0 });
      const messages = await store.listMessages('c1');
      expect(messages.map((message) => message.status)).toEqual([undefined, 'interrupted', 'complete']);
      expect(messages[1]?.content).toBe('Half');
      expect((await store.getChat('s1', 'c1'))?.uploads).toEqual([
        { id: 'd1', source: 'a.pdf', createdAt: 5, status: 'failed' },
      ]);
      await store.discardUpload('c1', 'd1');
      expect((await store.getChat('s1', 'c1'))?.uploads).toEqual([]);
    });

    it('updates a message in place as it streams', async () => {
      await withChat();
      await store.addMessage('c1', { id: 'm1', role: 'user', content: 'Q?', createdAt: 5 });
      await store.addMessage('c1', {
        id: 'm2',
        role: 'assistant',
        content: '',
        createdAt: 6,
        status: 'streaming',
      });
      await store.addMessage('c1', { id: 'm3', role: 'user', content: 'Next', createdAt: 7 });
      const final = {
        id: 'm2',
        role: 'assistant' as const,
        content: 'The answer',
        createdAt: 8,
        status: 'complete' as const,
        query: 'Q?',
        model: { name: 'extractive', extractive: true },
      };
      await store.updateMessage('c1', final);
      const messages = await store.listMessages('c1');
      expect(messages.map((message) => message.id)).toEqual(['m1', 'm2', 'm3']);
      expect(messages[1]).toEqual(final);
      // An answer cut off at its length limit says so after a reload, too.
      await store.updateMessage('c1', { ...final, truncated: true });
      expect((await store.listMessages('c1'))[1]).toEqual({ ...final, truncated: true });
      expect((await store.listMessages('c1', { last: 2 })).map((message) => message.id)).toEqual([
        'm2',
        'm3',
      ]);
      expect((await store.listMessages('c1', { last: 2 }))[0]?.truncated).toBe(true);
      await expect(store.updateMessage('c1', { ...final, id: 'ghost' })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('finds a document by its idempotency key, within its chat only', async () => {
      await withChat();
      await withChat('s1', 'other');
      await store.addDocument('c1', { ...makeStoredDocument('d1', 2), idempotencyKey: 'key-1' }, 1);
      await store.addDocument('c1', makeStoredDocument('d2', 1), 2);
      expect(await store.findDocumentByIdempotencyKey('c1', 'key-1')).toEqual(
        makeStoredDocument('d1', 2).summary,
      );
      expect(await store.findDocumentByIdempotencyKey('other', 'key-1')).toBeNull();
      expect(await store.findDocumentByIdempotencyKey('c1', 'key-2')).toBeNull();
      await expect(
        store.addDocument('c1', { ...makeStoredDocument('d3', 1), idempotencyKey: 'key-1' }, 3),
      ).rejects.toThrow();
      await store.addDocument('other', { ...makeStoredDocument('d4', 1), idempotencyKey: 'key-1' }, 3);
      expect((await store.findDocumentByIdempotencyKey('other', 'key-1'))?.id).toBe('d4');
    });

    it('reports itself healthy', async () => {
      expect(await store.health()).toEqual({ status: 'ok' });
    });

    it.skipIf(reopen === undefined)('keeps everything across close and reopen', async () => {
      await withChat();
      await store.addDocument(
        'c1',
        {
          ...makeStoredDocument('d1', 4),
          file: { contentType: 'text/markdown; charset=utf-8', bytes: new Uint8Array([35, 32, 120]) },
          layout: { text: '# x', boxes: [] },
        },
        1,
      );
      await store.addMessage('c1', { id: 'm1', role: 'user', content: 'x', createdAt: 1 });
      await store.close();
      if (reopen === undefined) return;
      store = await reopen();
      expect((await store.getChat('s1', 'c1'))?.documents).toHaveLength(1);
      expect((await store.loadDocuments('c1'))[0]?.vectors).toHaveLength(4);
      expect((await store.loadDocuments('c1'))[0]?.chunks).toEqual(makeStoredDocument('d1', 4).chunks);
      expect(Array.from((await store.getDocumentFile('c1', 'd1'))?.bytes ?? [])).toEqual([35, 32, 120]);
      expect(await store.getDocumentLayout('c1', 'd1')).toEqual({ text: '# x', boxes: [] });
      expect(await store.listMessages('c1')).toHaveLength(1);
    });
  });
}
