import { afterEach, describe, expect, it } from 'vitest';
import { createLoaderPool, type LoaderPool } from '../loaders/create-loader-pool.ts';
import type { SearchIndex } from '../retrieval/search-index.ts';
import { buildDecompressionBombPdf } from '../test-helpers/pdf-fixtures.ts';
import { startTestApp, type TestApp, uploadForm } from './test-app.ts';

let app: TestApp;
let pool: LoaderPool | undefined;
afterEach(async () => {
  await app?.shutdown();
  await pool?.close();
  pool = undefined;
});

const notes = 'Photosynthesis turns light into chemical energy.\n\nThe Calvin cycle fixes carbon dioxide.';

function upload(chatId: string, name: string, content: string | Uint8Array, browser = 'a') {
  return app.fetch(`/api/chats/${chatId}/documents`, {
    method: 'POST',
    body: uploadForm(name, content),
    browser,
  });
}

function ask(chatId: string, question: string, browser = 'a') {
  return app.fetch(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
    browser,
  });
}

describe('bounded ingestion over HTTP', () => {
  it('refuses a crafted PDF with 422 document_too_large naming the limit, and serves the next upload', async () => {
    pool = createLoaderPool({ size: 1 });
    app = startTestApp({ overrides: { loader: pool } });
    const chatId = await app.createChat();
    const bomb = await buildDecompressionBombPdf({ decodedBytes: 300_000_000 });
    const refused = await upload(chatId, 'bomb.pdf', bomb);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: string; message: string };
    expect(body.error).toBe('document_too_large');
    expect(body.message).toContain('DOCCHAT_MAX_PDF_DECODED_MB');
    const chat = (await (await app.fetch(`/api/chats/${chatId}`)).json()) as { documents: unknown[] };
    expect(chat.documents).toEqual([]);
    expect((await upload(chatId, 'notes.md', notes)).status).toBe(201);
  });

  it('lets the parser pool go of each upload once it is stored, so uploads keep flowing under maxHeld', async () => {
    pool = createLoaderPool({ size: 1, maxHeld: 1 });
    app = startTestApp({ overrides: { loader: pool } });
    const chatId = await app.createChat();
    // One at a time, then three at once: each waits for the one before it to be stored, never forever.
    for (const name of ['one.md', 'two.md']) expect((await upload(chatId, name, notes)).status).toBe(201);
    const statuses = await Promise.all(
      ['a.md', 'b.md', 'c.md'].map(async (name) => (await upload(chatId, name, notes)).status),
    );
    expect(statuses).toEqual([201, 201, 201]);
    const failed = await upload(chatId, 'empty.md', '');
    expect(failed.status).toBe(422);
    expect((await upload(chatId, 'after.md', notes)).status).toBe(201);
  });

  it('refuses a document with more chunks than DOCCHAT_MAX_CHUNKS', async () => {
    app = startTestApp({ env: { DOCCHAT_MAX_CHUNKS: '2' } });
    const chatId = await app.createChat();
    const response = await upload(chatId, 'long.txt', 'A sentence of text that repeats. '.repeat(500));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: 'document_too_large' });
  });

  it('indexes a chat’s later documents once', async () => {
    app = startTestApp();
    let indexed = 0;
    const createIndex = app.rag.createIndex;
    app.rag.createIndex = (): SearchIndex => {
      const index = createIndex();
      const add = index.add;
      index.add = (chunks, vectors) => {
        indexed += chunks.length;
        add(chunks, vectors);
      };
      return index;
    };
    const chatId = await app.createChat();
    const first = (await (await upload(chatId, 'a.md', notes)).json()) as { chunks: number };
    expect(indexed).toBe(first.chunks);
    const second = (await (await upload(chatId, 'b.md', `${notes}\n\nMore.`)).json()) as { chunks: number };
    expect(indexed).toBe(first.chunks + second.chunks);
  });
});

describe('quotas', () => {
  it('limits chats per session with 429 and Retry-After', async () => {
    app = startTestApp({ env: { DOCCHAT_SESSION_MAX_CHATS: '2' } });
    await app.createChat();
    await app.createChat();
    const refused = await app.fetch('/api/chats', { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toMatchObject({ error: 'quota_exceeded' });
    expect((await app.fetch('/api/chats', { method: 'POST', browser: 'b' })).status).toBe(201);
  });

  it('limits documents and bytes of text per session', async () => {
    app = startTestApp({ env: { DOCCHAT_SESSION_MAX_DOCUMENTS: '1' } });
    const chatId = await app.createChat();
    expect((await upload(chatId, 'a.md', notes)).status).toBe(201);
    const refused = await upload(chatId, 'b.md', notes);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: 'quota_exceeded' });
    await app.shutdown();

    app = startTestApp({ env: { DOCCHAT_SESSION_MAX_BYTES: String(notes.length * 2) } });
    const other = await app.createChat();
    expect((await upload(other, 'a.md', notes)).status).toBe(201);
    expect((await upload(other, 'b.md', notes.repeat(2))).status).toBe(429);
    expect((await upload(other, 'c.md', 'short')).status).toBe(201);
  });

  it('limits questions per minute per session', async () => {
    let time = 1_000_000;
    app = startTestApp({ env: { DOCCHAT_SESSION_MESSAGES_PER_MINUTE: '2' }, deps: { now: () => time } });
    const chatId = await app.createChat();
    await upload(chatId, 'a.md', notes);
    for (let i = 0; i < 2; i++) {
      const response = await ask(chatId, 'What does the Calvin cycle fix?');
      expect(response.status).toBe(200);
      await response.text();
    }
    const refused = await ask(chatId, 'And photosynthesis?');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    time += 60_000;
    const later = await ask(chatId, 'And photosynthesis?');
    expect(later.status).toBe(200);
    await later.text();
  });

  it('limits new sessions per client address, by X-Forwarded-For only behind a trusted proxy', async () => {
    app = startTestApp({ env: { DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE: '2', DOCCHAT_TRUST_PROXY: '1' } });
    const fromAddress = (address: string, browser: string) =>
      app.fetch('/api/chats', { browser, headers: { 'x-forwarded-for': `spoofed-${browser}, ${address}` } });
    expect((await fromAddress('203.0.113.1', 'a')).status).toBe(200);
    expect((await fromAddress('203.0.113.1', 'b')).status).toBe(200);
    const refused = await fromAddress('203.0.113.1', 'c');
    expect(refused.status).toBe(429);
    expect(refused.headers.has('retry-after')).toBe(true);
    expect((await fromAddress('203.0.113.1', 'a')).status).toBe(200); // a known session is not a new one
    expect((await fromAddress('203.0.113.2', 'd')).status).toBe(200);
  });
});

describe('history', () => {
  it('reads only the last DOCCHAT_HISTORY_MESSAGES messages for a question', async () => {
    app = startTestApp({ env: { DOCCHAT_HISTORY_MESSAGES: '3' } });
    const chatId = await app.createChat();
    await upload(chatId, 'a.md', notes);
    const calls: (number | undefined)[] = [];
    const listMessages = app.store.listMessages.bind(app.store);
    app.store.listMessages = (id, options) => {
      calls.push(options?.last);
      return listMessages(id, options);
    };
    for (let i = 0; i < 3; i++) await (await ask(chatId, `Question ${i}?`)).text();
    expect(calls).toEqual([3, 3, 3]);
    const last = await listMessages(chatId, { last: 3 });
    expect(last.map((message) => message.role)).toEqual(['assistant', 'user', 'assistant']);
    expect(last[1]?.content).toBe('Question 2?');
  });
});
