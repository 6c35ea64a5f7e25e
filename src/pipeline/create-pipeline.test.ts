import { describe, expect, it } from 'vitest';
import type { ChatModel, ChatRequest } from '../chat-models/chat-model.ts';
import type { Chunk } from '../core/types.ts';
import type { Retriever } from '../retrieval/retriever.ts';
import { createPipeline } from './create-pipeline.ts';

const chunk: Chunk = {
  id: 'd#0',
  documentId: 'd',
  source: 'd.txt',
  page: null,
  start: 0,
  end: 5,
  text: 'Hello',
};
const retriever: Retriever = { retrieve: async () => [{ chunk, score: 1 }] };

/** A chat model that records when its stream starts and ends, and what it was asked. */
function recordingModel() {
  const log: string[] = [];
  const requests: ChatRequest[] = [];
  const model: ChatModel = {
    info: { name: 'recorder', extractive: false },
    async *stream(request) {
      requests.push(request);
      log.push('model started');
      try {
        yield 'Hello ';
        yield 'there.';
      } finally {
        log.push('model ended');
      }
    },
  };
  return { model, log, requests };
}

describe('createPipeline', () => {
  it('asks the model before handing out the sources, so the first token is already on its way', async () => {
    const { model, log } = recordingModel();
    const events = createPipeline({ retriever, chatModel: model }).ask('Hello?');
    const first = await events.next();
    expect(first.value).toMatchObject({ type: 'sources', sources: [{ n: 1, text: 'Hello' }] });
    expect(log).toEqual(['model started']);
    const rest: string[] = [];
    for await (const event of events) rest.push(event.type);
    expect(rest).toEqual(['text-delta', 'text-delta', 'done']);
    expect(log).toEqual(['model started', 'model ended']);
  });

  it('ends the model stream when the consumer stops early', async () => {
    const { model, log } = recordingModel();
    for await (const event of createPipeline({ retriever, chatModel: model }).ask('Hello?')) {
      if (event.type === 'text-delta') break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['model started', 'model ended']);
  });

  it('sends the citing prompts, recent history and numbered context', async () => {
    const { model, requests } = recordingModel();
    const history = Array.from({ length: 10 }, (_, i) => ({
      role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: `message ${i}`,
    }));
    for await (const _ of createPipeline({ retriever, chatModel: model, historyMessages: 4 }).ask(
      'Which greeting does the file use?',
      {
        history,
      },
    ));
    expect(requests).toHaveLength(1);
    const messages = requests[0]?.messages ?? [];
    expect(messages.map((message) => message.content.slice(0, 10))).toEqual([
      'Answer the',
      'message 6',
      'message 7',
      'message 8',
      'message 9',
      'Context:\n[',
    ]);
    expect(messages.at(-1)?.content).toBe(
      'Context:\n[1] (d.txt)\nHello\n\n\nQuestion:\nWhich greeting does the file use?\n',
    );
  });

  it('turns a model failure into an error event after the sources', async () => {
    const failing: ChatModel = {
      info: { name: 'broken', extractive: false },
      // biome-ignore lint/correctness/useYield: a model that fails before its first token
      async *stream() {
        throw new Error('boom');
      },
    };
    const types: string[] = [];
    for await (const event of createPipeline({ retriever, chatModel: failing }).ask('Hello?'))
      types.push(event.type);
    expect(types).toEqual(['sources', 'error']);
  });
});

describe('createPipeline with a model that counts tokens', () => {
  const passage = (i: number): Chunk => {
    const text = Array.from(
      { length: 20 },
      (_, s) => `Passage ${i} sentence ${s} is about policy optimization.`,
    ).join(' ');
    return {
      id: `d#${i}`,
      documentId: 'd',
      source: 'd.txt',
      page: null,
      start: i * 10_000,
      end: i * 10_000 + text.length,
      text,
    };
  };
  const ranked: Retriever = {
    retrieve: async () => [0, 1, 2, 3].map((i) => ({ chunk: passage(i), score: 1 - i / 10 })),
  };

  function countingModel(contextWindow: number, reply: string[], finish: 'stop' | 'length' = 'stop') {
    const requests: ChatRequest[] = [];
    const model: ChatModel = {
      info: { name: 'counted', extractive: false },
      tokens: async () => ({
        contextWindow,
        perMessage: 4,
        count: async (text) => Math.ceil(text.length / 4),
      }),
      async *stream(request, options) {
        requests.push(request);
        yield* reply;
        options?.onFinish?.(finish);
      },
    };
    return { model, requests };
  }

  it('fits the prompt to the window, says which passages the model got, and sends max_tokens', async () => {
    const { model, requests } = countingModel(1024, ['GRPO [1]', ' [4].']);
    const events = [];
    for await (const event of createPipeline({
      retriever: ranked,
      chatModel: model,
      maxAnswerTokens: 256,
    }).ask('GRPO?'))
      events.push(event);
    const sources = events.find((event) => event.type === 'sources');
    const given = sources?.type === 'sources' ? sources.sources : [];
    expect(given.length).toBeGreaterThan(0);
    expect(given.length).toBeLessThan(4);
    expect(requests[0]?.maxTokens).toBe(256);
    expect(requests[0]?.sources).toEqual(given);
    const sent = requests[0]?.messages ?? [];
    const tokens = sent.reduce((sum, message) => sum + Math.ceil(message.content.length / 4) + 4, 4);
    expect(tokens + 256).toBeLessThanOrEqual(1024);
    // [4] pointed at a passage the model was not given.
    expect(events.at(-1)).toEqual({
      type: 'done',
      answer: 'GRPO [1].',
      model: { name: 'counted', extractive: false },
    });
  });

  it('passes a length finish on as done.finishReason', async () => {
    const { model } = countingModel(8192, ['cut'], 'length');
    const events = [];
    for await (const event of createPipeline({ retriever: ranked, chatModel: model }).ask('GRPO?'))
      events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'length' });
  });
});

describe('follow-up questions rewritten by a model', () => {
  /** A model whose follow-up rewrite is `rewrite` (ending with `finish`), and whose answers are "Fine.". */
  function rewritingModel(rewrite: string, finish: 'stop' | 'length' = 'stop') {
    const model: ChatModel = {
      info: { name: 'small', extractive: false },
      async *stream(request, options) {
        if (request.sources.length === 0 && request.messages[0]?.content.startsWith('Rewrite')) {
          yield rewrite;
          options?.onFinish?.(finish);
          return;
        }
        yield 'Fine.';
        options?.onFinish?.('stop');
      },
    };
    return model;
  }
  const calvin: Chunk = { ...chunk, id: 'd#1', text: 'The Calvin cycle fixes carbon.' };
  /** Finds the Calvin passage for queries that name it, nothing for other words. */
  const wordRetriever: Retriever = {
    retrieve: async (query) => (/calvin|carbon/i.test(query) ? [{ chunk: calvin, score: 1 }] : []),
  };
  const history = [
    { role: 'user' as const, content: 'What does the Calvin cycle do?' },
    { role: 'assistant' as const, content: 'It fixes carbon.' },
  ];

  async function sourcesEvent(model: ChatModel) {
    const events = createPipeline({ retriever: wordRetriever, chatModel: model }).ask('And how fast is it?', {
      history,
    });
    for await (const event of events) if (event.type === 'sources') return event;
    throw new Error('no sources event');
  }

  it('searches the model’s standalone question when it finds passages', async () => {
    const event = await sourcesEvent(rewritingModel('How fast is the Calvin cycle?'));
    expect(event.query).toBe('How fast is the Calvin cycle?');
    expect(event.sources.map((source) => source.id)).toEqual(['d#1']);
  });

  it('falls back to the question with the previous one when the rewrite finds nothing, has no words, or was cut off', async () => {
    const rule = 'And how fast is it? (following up on: What does the Calvin cycle do?)';
    for (const model of [
      rewritingModel('How quickly does photosynthesis proceed?'),
      rewritingModel('<<<<<<<<<<<<<<<<'),
      rewritingModel('How fast is the Calvin cycle compared with', 'length'),
    ]) {
      const event = await sourcesEvent(model);
      expect(event.query).toBe(rule);
      expect(event.sources.map((source) => source.id)).toEqual(['d#1']);
    }
  });
});
