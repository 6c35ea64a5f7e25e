import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage } from '../core/types.ts';
import { createLoaderPool } from '../loaders/create-loader-pool.ts';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../test-helpers/fake-openai-server.ts';
import { buildTextPdf } from '../test-helpers/pdf-fixtures.ts';
import { createRag } from './create-rag.ts';

const notes = `Project Falcon Handbook

1 Introduction
Project Falcon builds a small reusable rocket. The handbook explains how the team works.

2 Launch Plan
The first launch of Falcon is planned for the third of March from the northern pad.
The second launch, Falcon Heavy (FH), follows in October.
Falcon Heavy carries twice the payload of the first rocket.

3 Budget
The budget for the whole year is four million euros, mostly spent on engines.
`;

async function collect(events: AsyncGenerator<RagEvent>): Promise<RagEvent[]> {
  const all: RagEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const input = { name: 'falcon.md', data: new TextEncoder().encode(notes) };

describe('createRag offline', () => {
  const rag = createRag(loadConfig({}));

  it('ingests with progress through every stage and answers with sources, deltas and done', async () => {
    const index = rag.createIndex();
    const stages: string[] = [];
    const result = await rag.ingest(input, index, {
      documentId: 'doc1',
      onEvent: (event) => {
        if (event.type === 'progress' && !stages.includes(event.stage)) stages.push(event.stage);
      },
    });
    expect(stages).toEqual(['parse', 'split', 'index']);
    expect(result.summary).toMatchObject({ id: 'doc1', source: 'falcon.md', kind: 'text', pages: null });
    expect(result.vectors).toBeNull();

    const events = await collect(rag.ask(index, 'When is the first launch of Falcon planned?'));
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['sources', 'text-delta', 'done']),
    );
    expect(events[0]).toMatchObject({
      type: 'sources',
      query: 'When is the first launch of Falcon planned?',
    });
    const done = events.at(-1);
    expect(done?.type === 'done' && done.answer).toContain('third of March');
    expect(done).toMatchObject({ model: { name: 'extractive', extractive: true } });
  });

  describe('over one ingested document', () => {
    const index = rag.createIndex();
    beforeAll(async () => {
      await rag.ingest(input, index);
    });
    const exchange = (question: string, answer: string): ChatMessage[] => [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ];
    const ask = async (question: string, history: ChatMessage[] = []) => {
      const events = await collect(rag.ask(index, question, { history }));
      const sources = events.find((event) => event.type === 'sources');
      const done = events.find((event) => event.type === 'done');
      return {
        query: sources?.type === 'sources' ? sources.query : null,
        answer: done?.type === 'done' ? done.answer : null,
      };
    };

    it('answers a whole-document question from the overview', async () => {
      const { answer } = await ask('What is this document about?');
      expect(answer).toContain('“Project Falcon Handbook”');
      expect(answer).toContain('Introduction; Launch Plan; Budget');
    });

    it('rewrites a follow-up by rule and retrieves with the standalone query', async () => {
      const history = exchange('What is the budget of Project Falcon?', 'Four million euros.');
      const { query, answer } = await ask('And what is it mostly spent on?', history);
      expect(query).toBe(
        'And what is it mostly spent on? (following up on: What is the budget of Project Falcon?)',
      );
      expect(answer).toContain('mostly spent on engines');
    });

    it('shows a whole-document question after another question as asked, not as a follow-up', async () => {
      const history = exchange('What is the budget of Project Falcon?', 'Four million euros.');
      const { query, answer } = await ask('What is this document about?', history);
      expect(query).toBe('What is this document about?');
      expect(answer).toContain('“Project Falcon Handbook”');
    });

    it('treats a follow-up of a whole-document question as a question of its own', async () => {
      const history = exchange('What is this document about?', 'This document is “Project Falcon Handbook”.');
      expect((await ask('And what about its budget?', history)).answer).toContain('four million euros');
    });

    it('matches an acronym the document defines with its long form', async () => {
      expect((await ask('How much does FH carry?')).answer).toContain(
        'Falcon Heavy carries twice the payload',
      );
    });
  });

  it('parses with the loader it is given: a worker pool gives the same chunks and parse progress', async () => {
    const pool = createLoaderPool({ size: 1 });
    try {
      let loads = 0;
      const loader = {
        load: (...args: Parameters<typeof pool.load>) => {
          loads++;
          return pool.load(...args);
        },
      };
      const pooled = createRag(loadConfig({}), { loader });
      const pdf = { name: 'falcon.pdf', data: await buildTextPdf(notes.split('\n\n')) };
      const parse: [number, number][] = [];
      const result = await pooled.ingest(pdf, pooled.createIndex(), {
        documentId: 'doc1',
        onEvent: (event) => {
          if (event.type === 'progress' && event.stage === 'parse') parse.push([event.done, event.total]);
        },
      });
      const local = await rag.ingest(pdf, rag.createIndex(), { documentId: 'doc1' });
      expect(result.chunks).toEqual(local.chunks);
      expect(result.summary).toMatchObject({ kind: 'pdf', pages: 4 });
      expect(parse).toEqual([
        [1, 4],
        [2, 4],
        [3, 4],
        [4, 4],
      ]);
      expect(loads).toBe(1);
      const binary = { name: 'a.txt', data: new Uint8Array([0, 1, 2, 3]) };
      await expect(pooled.ingest(binary, pooled.createIndex())).rejects.toMatchObject({ code: 'not_text' });
    } finally {
      await pool.close();
    }
  });

  it('reports an empty question as an error event instead of throwing', async () => {
    const events = await collect(rag.ask(rag.createIndex(), '   '));
    expect(events).toEqual([{ type: 'error', error: 'invalid_request', message: 'Type a question first.' }]);
  });
});

describe('createRag with an OpenAI-compatible model on loopback', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startFakeOpenAIServer({
      reply: (body) => {
        const last = String(body.messages.at(-1)?.content ?? '');
        if (last.startsWith('Conversation:')) return 'What is Project Falcon mostly spending its budget on?';
        return 'Mostly engines [1].';
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('rewrites follow-ups with the model, sends history and the reference prompts, and embeds for hybrid search', async () => {
    const rag = createRag(
      loadConfig({
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: server.url,
        DOCCHAT_CHAT_MODEL: 'gpt-4o-mini',
        DOCCHAT_PROMPTS: 'reference',
      }),
    );
    const index = rag.createIndex();
    const result = await rag.ingest(input, index);
    expect(result.vectors?.length).toBe(result.chunks.length);
    const history: ChatMessage[] = [
      { role: 'user', content: 'What is the budget of Project Falcon?' },
      { role: 'assistant', content: 'Four million euros.' },
    ];
    const events = await collect(rag.ask(index, 'And what is it mostly spent on?', { history }));
    const sources = events.find((event) => event.type === 'sources');
    expect(sources?.type === 'sources' && sources.query).toBe(
      'What is Project Falcon mostly spending its budget on?',
    );
    expect(sources?.type === 'sources' && sources.sources[0]?.text).toContain('engines');
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      answer: 'Mostly engines [1].',
      model: { name: 'gpt-4o-mini' },
    });

    const chat = server.requests.filter((request) => request.path.endsWith('/chat/completions')).at(-1);
    const messages = (chat?.body as { messages: ChatMessage[] } | undefined)?.messages ?? [];
    expect(messages[0]?.content).toMatch(/^Use the following context to answer a users question/);
    expect(messages.slice(1, 3)).toEqual(history);
    expect(messages[3]?.content).toMatch(/^Context:\n\[1\] \(falcon\.md\)\n/);
  });
});
