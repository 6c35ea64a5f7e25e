import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RagEvent } from '../core/events.ts';
import { providerFailureFields } from '../core/openai-errors.ts';
import {
  type FakeChatBody,
  type FakeOpenAIServer,
  startFakeOpenAIServer,
} from '../test-helpers/fake-openai-server.ts';
import type { Message } from './api-shapes.ts';
import { createJsonLogger } from './logger.ts';
import { parseEvents, readEvents, startTestApp, type TestApp, uploadForm } from './test-app.ts';

const notes =
  'Photosynthesis turns light into chemical energy.\n\nChlorophyll absorbs mostly blue and red light.\n\n' +
  'The Calvin cycle fixes carbon dioxide into sugars inside the stroma.';

let app: TestApp;
afterEach(async () => {
  await app?.shutdown();
});

async function chatWithDocument(browser = 'a'): Promise<string> {
  const chatId = await app.createChat(browser);
  const uploaded = await app.fetch(`/api/chats/${chatId}/documents`, {
    method: 'POST',
    body: uploadForm('notes.md', notes),
    browser,
  });
  expect(uploaded.status).toBe(201);
  return chatId;
}

function ask(chatId: string, question: string, init: { signal?: AbortSignal; browser?: string } = {}) {
  return app.fetch(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: JSON.stringify({ question }),
    headers: { 'content-type': 'application/json' },
    ...init,
  });
}

async function messagesOf(chatId: string, browser = 'a'): Promise<Message[]> {
  const response = await app.fetch(`/api/chats/${chatId}`, { browser });
  return ((await response.json()) as { messages: Message[] }).messages;
}

describe('answers offline (extractive)', () => {
  it('streams sources, text deltas and done, and stores both messages', async () => {
    const lines: string[] = [];
    app = startTestApp({
      deps: { logger: { info: (e, f) => lines.push(JSON.stringify({ e, ...f })), error: () => {} } },
    });
    const chatId = await chatWithDocument();
    const response = await ask(chatId, 'What does chlorophyll absorb?');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events[0]).toMatchObject({ type: 'sources', query: 'What does chlorophyll absorb?' });
    if (events[0]?.type === 'sources') expect(events[0].sources[0]?.text).toContain('Chlorophyll');
    expect(events.some((event) => event.type === 'text-delta')).toBe(true);
    const done = events.at(-1);
    expect(done?.type).toBe('done');

    const messages = await messagesOf(chatId);
    expect(messages.map((message) => [message.role, message.status])).toEqual([
      ['user', undefined],
      ['assistant', 'complete'],
    ]);
    expect(messages[0]?.content).toBe('What does chlorophyll absorb?');
    if (done?.type === 'done') expect(messages[1]?.content).toBe(done.answer);
    expect(messages[1]?.sources?.[0]?.source).toBe('notes.md');
    expect(messages[1]?.model).toEqual({ name: 'extractive', extractive: true });
    expect(messages[1]?.query).toBe('What does chlorophyll absorb?');

    // One JSON line per request, without the question or the document's text.
    const log = lines.join('\n');
    expect(log).toContain('"path":"/api/chats/');
    expect(log).not.toContain('chlorophyll absorb');
    expect(log).not.toContain('Photosynthesis');
  });

  it('searches every document of the chat', async () => {
    app = startTestApp();
    const chatId = await chatWithDocument();
    await app.fetch(`/api/chats/${chatId}/documents`, {
      method: 'POST',
      body: uploadForm('cells.txt', 'Mitochondria produce ATP through cellular respiration.'),
    });
    const events = await readEvents(await ask(chatId, 'What do mitochondria produce?'));
    const sources = events.find((event) => event.type === 'sources');
    expect(sources?.type === 'sources' && sources.sources[0]?.source).toBe('cells.txt');
  });

  it('survives a restart: the chat, its document and messages come back and can be asked again', async () => {
    app = startTestApp();
    const chatId = await chatWithDocument();
    await readEvents(await ask(chatId, 'What does the Calvin cycle fix?'));
    const jarCookie = app.cookie();
    const dataDir = app.dataDir;
    await app.shutdown({ keepData: true });

    app = startTestApp({ dataDir });
    const headers = { cookie: jarCookie };
    const detail = (await (await app.fetch(`/api/chats/${chatId}`, { headers })).json()) as {
      documents: { source: string }[];
      messages: Message[];
    };
    expect(detail.documents.map((document) => document.source)).toEqual(['notes.md']);
    expect(detail.messages).toHaveLength(2);
    const events = await readEvents(
      await app.fetch(`/api/chats/${chatId}/messages`, {
        method: 'POST',
        body: JSON.stringify({ question: 'Where does the Calvin cycle happen?' }),
        headers: { ...headers, 'content-type': 'application/json' },
      }),
    );
    const sources = events.find((event) => event.type === 'sources');
    expect(
      sources?.type === 'sources' && sources.sources.some((source) => source.text.includes('stroma')),
    ).toBe(true);
    expect(events.at(-1)?.type).toBe('done');
  });

  it('forgets a chat for real: documents, chunks, vectors and messages are deleted', async () => {
    app = startTestApp();
    const chatId = await chatWithDocument();
    await readEvents(await ask(chatId, 'What is photosynthesis?'));
    expect((await app.fetch(`/api/chats/${chatId}`, { method: 'DELETE' })).status).toBe(204);
    const db = new DatabaseSync(join(app.dataDir, 'docchat.sqlite'));
    for (const table of ['chats', 'documents', 'chunks', 'messages']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
    db.close();
    expect((await ask(chatId, 'Still there?')).status).toBe(404);
  });
});

describe('answers from an OpenAI-compatible server', () => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    app = startTestApp({
      env: {
        OPENAI_BASE_URL: fake.url,
        OPENAI_API_KEY: 'sk-test',
        DOCCHAT_EMBEDDER: 'local',
        DOCCHAT_CHAT_MODEL: 'gpt-4o-mini',
        DOCCHAT_MAX_ANSWER_TOKENS: '16',
      },
    });
  });

  const chatRequests = () => fake.requests.filter((request) => request.path.endsWith('/chat/completions'));

  it('passes the earlier messages as history for a follow-up', async () => {
    fake.configure({ reply: (body: FakeChatBody) => `Answer ${body.messages.length}` });
    const chatId = await chatWithDocument();
    await readEvents(await ask(chatId, 'What does chlorophyll absorb?'));
    await readEvents(await ask(chatId, 'And why is that?'));
    const last = chatRequests().at(-1)?.body as FakeChatBody;
    const contents = last.messages.map((message) => message.content);
    expect(contents).toContain('What does chlorophyll absorb?');
    expect(contents.some((content) => typeof content === 'string' && content.startsWith('Answer'))).toBe(
      true,
    );
    expect((await messagesOf(chatId)).map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('stops when the client aborts: the model request is closed and the partial answer stored as stopped', async () => {
    fake.configure({ reply: 'one two three four five six seven eight nine ten', tokenDelayMs: 200 });
    const chatId = await chatWithDocument();
    const controller = new AbortController();
    const response = await ask(chatId, 'What does chlorophyll absorb?', { signal: controller.signal });
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    const events: RagEvent[] = [];
    let buffer = '';
    while (!events.some((event) => event.type === 'text-delta')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const complete = buffer.lastIndexOf('\n\n');
      if (complete >= 0) {
        events.push(...parseEvents(buffer.slice(0, complete + 2)));
        buffer = buffer.slice(complete + 2);
      }
    }
    controller.abort();
    await reader.cancel();
    const upstream = chatRequests().at(-1);
    if (upstream === undefined) throw new Error('the model was not called');
    expect(await fake.settled(upstream)).toBe('client-closed');
    await vi.waitFor(async () => expect((await messagesOf(chatId)).at(-1)?.status).toBe('stopped'));
    const stopped = (await messagesOf(chatId)).at(-1);
    expect(stopped?.content.length).toBeGreaterThan(0);
    expect(stopped?.content.length).toBeLessThan('one two three four five six seven eight nine ten'.length);
    expect(stopped?.sources?.length).toBeGreaterThan(0);
  });

  it('marks an answer cut off at its length limit, in the done event and the stored message', async () => {
    fake.configure({ reply: Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') });
    const chatId = await chatWithDocument();
    const events = await readEvents(await ask(chatId, 'What does chlorophyll absorb?'));
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'length' });
    expect(chatRequests().at(-1)?.body).toMatchObject({ max_tokens: 16 });
    expect((await messagesOf(chatId)).at(-1)).toMatchObject({ status: 'complete', truncated: true });
    await readEvents(await ask(chatId, 'Anything else?'));
    fake.configure({ reply: 'Short.' });
    const short = await readEvents(await ask(chatId, 'And in short?'));
    expect(short.at(-1)).not.toHaveProperty('finishReason');
    expect((await messagesOf(chatId)).at(-1)).not.toHaveProperty('truncated');
  });

  it('logs each provider failure as one line, reports the model server in health, and logs streams at their end', async () => {
    await app.shutdown();
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(JSON.parse(line)) });
    app = startTestApp({
      env: { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-secret-key', DOCCHAT_CHAT_MODEL: 'gpt-4o-mini' },
      overrides: {
        onProviderFailure: (role, error) =>
          logger.error('provider_failed', providerFailureFields(role, error)),
      },
      deps: { logger },
    });
    const health = async () => (await (await app.fetch('/api/health')).json()) as Record<string, unknown>;
    expect(await health()).toMatchObject({
      status: 'ok',
      modelServer: { state: 'unknown', checkedAt: null },
    });
    const chatId = await chatWithDocument();
    fake.fail({ kind: 'server-error', status: 503 }, { endpoint: 'chat', times: 3 });
    const events = await readEvents(await ask(chatId, 'What does chlorophyll absorb?'));
    expect(events.at(-1)).toMatchObject({ type: 'error', error: 'upstream_error' });
    const failures = lines.filter((line) => line.event === 'provider_failed');
    expect(failures).toHaveLength(3);
    const host = new URL(fake.url).host;
    expect(failures[0]).toMatchObject({
      role: 'chat',
      code: 'upstream_error',
      status: 503,
      host,
      model: 'gpt-4o-mini',
    });
    expect(JSON.stringify(lines)).not.toContain('sk-secret-key');
    expect(JSON.stringify(lines)).not.toContain('chlorophyll');
    expect(await health()).toMatchObject({
      status: 'degraded',
      modelServer: { state: 'down', error: { error: 'upstream_error' } },
    });
    await readEvents(await ask(chatId, 'What does chlorophyll absorb?'));
    expect(await health()).toMatchObject({ status: 'ok', modelServer: { state: 'up' } });
    const streamed = lines.filter((line) => line.event === 'request' && line.stream !== undefined);
    expect(streamed.at(-1)).toMatchObject({
      path: `/api/chats/${chatId}/messages`,
      status: 200,
      stream: 'complete',
    });
    // The embeddings of the upload went through the same way, but no embeddings request failed.
    expect(failures.every((line) => line.role === 'chat')).toBe(true);
  });

  it('streams an upstream failure as an error event and stores it', async () => {
    fake.fail({ kind: 'auth' }, { endpoint: 'chat' });
    const chatId = await chatWithDocument();
    const events = await readEvents(await ask(chatId, 'What does chlorophyll absorb?'));
    expect(events.at(-1)).toMatchObject({ type: 'error', error: 'auth_failed' });
    const stored = (await messagesOf(chatId)).at(-1);
    expect(stored).toMatchObject({ role: 'assistant', status: 'error', error: { error: 'auth_failed' } });
  });

  it('aborts answers in flight on close and stores them as stopped', async () => {
    fake.configure({ firstTokenDelayMs: 60_000 });
    const chatId = await chatWithDocument();
    const response = await ask(chatId, 'What does chlorophyll absorb?');
    const text = response.text();
    await vi.waitFor(() => expect(chatRequests()).toHaveLength(1));
    await app.close();
    await text;
    const messages = await app.store.listMessages(chatId);
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', status: 'stopped' });
  });
});

describe('re-embedding after the embedder changed', () => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('embeds restored chunks again with the configured embedder', async () => {
    app = startTestApp({ env: { DOCCHAT_RETRIEVER: 'lexical' } });
    const chatId = await chatWithDocument();
    const cookie = app.cookie();
    const dataDir = app.dataDir;
    await app.shutdown({ keepData: true });

    app = startTestApp({
      dataDir,
      env: { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-test', DOCCHAT_CHAT: 'extractive' },
    });
    const events = await readEvents(
      await app.fetch(`/api/chats/${chatId}/messages`, {
        method: 'POST',
        body: JSON.stringify({ question: 'What does chlorophyll absorb?' }),
        headers: { cookie, 'content-type': 'application/json' },
      }),
    );
    expect(events.at(-1)?.type).toBe('done');
    expect(
      fake.requests.filter((request) => request.path.endsWith('/embeddings')).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('embeds an open chat again when the embedding server starts giving vectors of another length', async () => {
    fake.reset();
    fake.configure({ models: ['nomic-embed-text'], embeddingDimensions: { 'nomic-embed-text': 16 } });
    const lines: string[] = [];
    app = startTestApp({
      env: {
        OPENAI_BASE_URL: fake.url,
        DOCCHAT_EMBEDDER: 'openai',
        DOCCHAT_EMBEDDING_MODEL: 'nomic-embed-text',
        DOCCHAT_CHAT: 'extractive',
      },
      deps: { logger: { info: (event) => lines.push(event), error: () => {} } },
    });
    const chatId = await chatWithDocument();
    expect((await readEvents(await ask(chatId, 'What does chlorophyll absorb?'))).at(-1)?.type).toBe('done');

    // The server is given another model under the same name while the chat's index is in memory.
    fake.configure({ embeddingDimensions: { 'nomic-embed-text': 24 } });
    const events = await readEvents(await ask(chatId, 'What does the Calvin cycle fix?'));
    expect(events.map((event) => event.type)).not.toContain('error');
    expect(events.at(-1)?.type).toBe('done');
    const sources = events.find((event) => event.type === 'sources');
    expect(sources?.type === 'sources' && sources.sources[0]?.text).toContain('Calvin cycle');
    expect(lines).toContain('reindex_on_mismatch');
    expect(lines).toContain('reindex_started');
    // And the next question uses the rebuilt index at once.
    lines.length = 0;
    expect((await readEvents(await ask(chatId, 'What does chlorophyll absorb?'))).at(-1)?.type).toBe('done');
    expect(lines).not.toContain('reindex_on_mismatch');
  });
});
