import { createHash } from 'node:crypto';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RagEvent } from '../core/events.ts';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../test-helpers/fake-openai-server.ts';
import {
  buildCorruptPdf,
  buildEncryptedPdf,
  buildScannedPdf,
  buildTextPdf,
} from '../test-helpers/pdf-fixtures.ts';
import { buildTruncatedPdf } from '../test-helpers/truncated-pdf.ts';
import { parseEvents, readEvents, startTestApp, type TestApp, uploadForm } from './test-app.ts';

const notes =
  'Photosynthesis turns light into chemical energy.\n\nChlorophyll absorbs mostly blue and red light.\n\n' +
  'The Calvin cycle fixes carbon dioxide into sugars.';

let app: TestApp;
afterEach(async () => {
  await app?.shutdown();
});

function upload(chatId: string, form: FormData, options: { stream?: boolean; browser?: string } = {}) {
  return app.fetch(`/api/chats/${chatId}/documents`, {
    method: 'POST',
    body: form,
    browser: options.browser ?? 'a',
    headers: options.stream ? { accept: 'text/event-stream' } : {},
  });
}

describe('uploads, JSON mode', () => {
  it('ingests a text file and answers 201 with its summary; the chat takes its name', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const response = await upload(chatId, uploadForm('notes.md', notes));
    expect(response.status).toBe(201);
    const summary = (await response.json()) as { id: string; source: string; kind: string; chunks: number };
    expect(summary).toMatchObject({
      source: 'notes.md',
      kind: 'text',
      pages: null,
      characters: notes.length,
    });
    expect(summary.chunks).toBeGreaterThan(0);
    const chat = (await (await app.fetch(`/api/chats/${chatId}`)).json()) as {
      title: string;
      documents: unknown[];
    };
    expect(chat.title).toBe('notes.md');
    expect(chat.documents).toEqual([summary]);
    const stored = await app.store.loadDocuments(chatId);
    expect(stored[0]?.chunks.map((chunk) => chunk.text).join(' ')).toContain('Calvin cycle');
  });

  it('holds several documents per chat', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    expect((await upload(chatId, uploadForm('a.txt', notes))).status).toBe(201);
    expect(
      (await upload(chatId, uploadForm('b.txt', 'Mitochondria are the powerhouse of the cell.'))).status,
    ).toBe(201);
    const chat = (await (await app.fetch(`/api/chats/${chatId}`)).json()) as {
      title: string;
      documents: { source: string }[];
    };
    expect(chat.documents.map((document) => document.source)).toEqual(['a.txt', 'b.txt']);
    expect(chat.title).toBe('a.txt');
  });

  it('reads PDFs, and encrypted ones with their password', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const pdf = await buildTextPdf(['Page one talks about alpha.', 'Page two talks about beta.']);
    const plain = await upload(chatId, uploadForm('paper.pdf', pdf));
    expect(plain.status).toBe(201);
    expect(await plain.json()).toMatchObject({ kind: 'pdf', pages: 2 });

    const locked = await buildEncryptedPdf(['Secret gamma page.'], { userPassword: 'open sesame' });
    const refused = await upload(chatId, uploadForm('locked.pdf', locked));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: 'pdf_encrypted' });
    const wrong = await upload(chatId, uploadForm('locked.pdf', locked, { password: 'nope' }));
    expect(await wrong.json()).toMatchObject({ error: 'pdf_wrong_password' });
    const opened = await upload(chatId, uploadForm('locked.pdf', locked, { password: 'open sesame' }));
    expect(opened.status).toBe(201);
  });

  it.each([
    ['an unsupported type', 'tool.exe', new Uint8Array([77, 90, 0, 1]), 415, 'unsupported_file_type'],
    ['an empty file', 'empty.txt', new Uint8Array(), 422, 'empty_file'],
    ['a binary file named .txt', 'bin.txt', new Uint8Array(256).map((_, i) => i), 422, 'not_text'],
    ['a corrupt PDF', 'broken.pdf', buildCorruptPdf(), 422, 'pdf_corrupt'],
  ])('refuses %s with a JSON error and stores nothing', async (_label, name, bytes, status, code) => {
    app = startTestApp();
    const chatId = await app.createChat();
    for (const stream of [false, true]) {
      const response = await upload(chatId, uploadForm(name, bytes), { stream });
      expect(response.status, `stream: ${stream}`).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(await response.json()).toMatchObject({ error: code, message: expect.any(String) });
    }
    expect(await app.store.loadDocuments(chatId)).toEqual([]);
  });

  it('refuses a file over the limit with 413, in both modes', async () => {
    app = startTestApp({ env: { DOCCHAT_MAX_UPLOAD_BYTES: '1000' } });
    const chatId = await app.createChat();
    for (const stream of [false, true]) {
      const response = await upload(chatId, uploadForm('big.txt', 'word '.repeat(400)), { stream });
      expect(response.status).toBe(413);
      expect(response.headers.get('connection')).toBe('close');
      expect(await response.json()).toEqual({
        error: 'file_too_large',
        message: 'The file is larger than the 1 KB limit.',
      });
    }
  });

  it('refuses garbage multipart and non-multipart bodies with 400, and stays up', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const garbage = await app.fetch(`/api/chats/${chatId}/documents`, {
      method: 'POST',
      body: '\u0000\u0001 not multipart',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: 'invalid_request' });
    const json = await app.fetch(`/api/chats/${chatId}/documents`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(400);
    // A text/plain body (what a form on another site can send) is refused before anything reads it.
    const plain = await app.fetch(`/api/chats/${chatId}/documents`, { method: 'POST', body: 'x' });
    expect(plain.status).toBe(415);
    expect((await app.fetch('/api/health')).status).toBe(200);
  });

  it("refuses an upload to another session's chat with 404", async () => {
    app = startTestApp();
    const chatId = await app.createChat('a');
    const response = await upload(chatId, uploadForm('notes.md', notes), { browser: 'b' });
    expect(response.status).toBe(404);
    expect(await app.store.loadDocuments(chatId)).toEqual([]);
  });
});

describe('uploads, event-stream mode', () => {
  it('streams progress through the stages, then the document', async () => {
    app = startTestApp({ env: { DOCCHAT_RETRIEVER: 'hybrid' } });
    const chatId = await app.createChat();
    const pdf = await buildTextPdf(['First page about alpha.', 'Second about beta.', 'Third about gamma.']);
    const response = await upload(chatId, uploadForm('three.pdf', pdf), { stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const events = await readEvents(response);
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress[0]).toMatchObject({ type: 'progress', source: 'three.pdf', stage: 'parse', total: 3 });
    expect(new Set(progress.map((event) => event.stage))).toEqual(
      new Set(['parse', 'split', 'embed', 'index']),
    );
    const last = events.at(-1);
    expect(last?.type).toBe('document');
    if (last?.type === 'document') expect(last.document).toMatchObject({ source: 'three.pdf', pages: 3 });
    expect(await app.store.loadDocuments(chatId)).toHaveLength(1);
  });

  it('reports a scanned PDF (known only after parsing) as an error event, and keeps nothing', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const scanned = await buildScannedPdf({ pages: 2 });
    const response = await upload(chatId, uploadForm('scan.pdf', scanned), { stream: true });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events[0]?.type).toBe('progress');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: 'pdf_no_text' });
    expect(await app.store.loadDocuments(chatId)).toEqual([]);
    const json = await upload(chatId, uploadForm('scan.pdf', scanned));
    expect(json.status).toBe(422);
  });
});

describe('an upload the client abandons', () => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ embeddingDelayMs: 60_000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('aborts ingestion (the embedding request is closed) and keeps nothing', async () => {
    fake.reset();
    app = startTestApp({
      env: {
        OPENAI_BASE_URL: fake.url,
        OPENAI_API_KEY: 'sk-test',
        DOCCHAT_EMBEDDER: 'openai',
        DOCCHAT_CHAT: 'extractive',
      },
    });
    const chatId = await app.createChat();
    const controller = new AbortController();
    const response = await app.fetch(`/api/chats/${chatId}/documents`, {
      method: 'POST',
      body: uploadForm('notes.md', notes),
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    const first = await reader?.read();
    const events: RagEvent[] = parseEvents(new TextDecoder().decode(first?.value));
    expect(events[0]?.type).toBe('progress');
    await vi.waitFor(() =>
      expect(fake.requests.some((request) => request.path.endsWith('/embeddings'))).toBe(true),
    );
    controller.abort();
    await reader?.cancel();
    const embedding = fake.requests.find((request) => request.path.endsWith('/embeddings'));
    if (embedding === undefined) throw new Error('no embeddings request');
    expect(await fake.settled(embedding)).toBe('client-closed');
    expect(await app.store.loadDocuments(chatId)).toEqual([]);
    const chat = (await (await app.fetch(`/api/chats/${chatId}`)).json()) as { documents: unknown[] };
    expect(chat.documents).toEqual([]);
  });
});

describe('Idempotency-Key', () => {
  const keyed = (chatId: string, key: string, stream = false) =>
    app.fetch(`/api/chats/${chatId}/documents`, {
      method: 'POST',
      body: uploadForm('notes.md', notes),
      headers: { 'idempotency-key': key, ...(stream ? { accept: 'text/event-stream' } : {}) },
    });

  it('returns the same document for a retry (after a lost reply) and stores it once', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const first = await keyed(chatId, 'retry-1');
    expect(first.status).toBe(201);
    const document = await first.json();
    const retry = await keyed(chatId, 'retry-1');
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(document);
    const streamed = await readEvents(await keyed(chatId, 'retry-1', true));
    expect(streamed).toEqual([{ type: 'document', document }]);
    // Concurrent retries join the upload in flight.
    const [a, b] = await Promise.all([keyed(chatId, 'retry-2'), keyed(chatId, 'retry-2')]);
    expect((await a.json()).id).toBe((await b.json()).id);
    const chat = (await (await app.fetch(`/api/chats/${chatId}`)).json()) as { documents: unknown[] };
    expect(chat.documents).toHaveLength(2);
    // A key is the chat's own: another chat with the same key gets its own document.
    const other = await app.createChat();
    expect((await keyed(other, 'retry-1')).status).toBe(201);
    const bad = await keyed(chatId, 'not a valid key');
    expect(bad.status).toBe(400);
  });

  it('leaves no upload record behind when a file is refused', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const refused = await upload(chatId, uploadForm('empty.txt', ''));
    expect(refused.status).toBe(422);
    expect(
      (await app.store.getChat((await app.store.listChats(sessionOf(app)))[0]?.sessionId ?? '', chatId))
        ?.uploads,
    ).toEqual([]);
  });
});

function sessionOf(testApp: TestApp): string {
  return createHash('sha256')
    .update(testApp.cookie().split('=')[1] ?? '')
    .digest('base64url');
}

describe('a damaged database at run time', () => {
  it('answers 503 storage_corrupt, health says so, and nothing more is written', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    expect((await upload(chatId, uploadForm('notes.md', notes.repeat(400)))).status).toBe(201);
    const cookie = app.cookie();
    const dataDir = app.dataDir;
    await app.shutdown({ keepData: true });
    const path = join(dataDir, 'docchat.sqlite');
    const size = statSync(path).size;
    const handle = openSync(path, 'r+');
    for (let offset = 8192; offset < size; offset += 4096)
      writeSync(handle, Buffer.alloc(64, 0xa5), 0, 64, offset);
    closeSync(handle);

    app = startTestApp({ dataDir });
    const ask = await app.fetch(`/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ question: 'What does chlorophyll absorb?' }),
      headers: { cookie, 'content-type': 'application/json' },
    });
    expect(ask.status).toBe(503);
    expect(await ask.json()).toMatchObject({ error: 'storage_corrupt' });
    const health = await app.fetch('/api/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'error', storage: { error: 'storage_corrupt' } });
    const refused = await app.fetch('/api/chats', { method: 'POST', headers: { cookie } });
    expect(refused.status).toBe(503);
  });
});

describe('truncated PDFs', () => {
  it('are kept with the count of pages that could be read, in the API reply and the chat', async () => {
    app = startTestApp();
    const chatId = await app.createChat();
    const pages = Array.from({ length: 22 }, (_, i) => `Page ${i + 1} is about topic ${i + 1}.`);
    const response = await upload(chatId, uploadForm('cut.pdf', buildTruncatedPdf(pages, 9)));
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ pages: 22, readablePages: 9 });
    const chat = (await (await app.fetch(`/api/chats/${chatId}`)).json()) as { documents: unknown[] };
    expect(chat.documents).toMatchObject([{ pages: 22, readablePages: 9 }]);
  });
});
