import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticText } from '../../bench/fixtures.ts';
import { loadConfig } from '../config.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage } from '../core/types.ts';
import { createRecursiveTextSplitter } from '../splitters/recursive-text-splitter.ts';
import { writeTinyGguf } from '../test-helpers/gguf-tiny-model.ts';
import { tenQuestions } from '../test-helpers/ten-questions.ts';
import { createRag, type Rag } from './create-rag.ts';

// The whole path with no API key and no server: llama.cpp in-process (real inference on tiny random-weight
// models) embeds the chunks for hybrid retrieval and generates the answer.

/**
 * The chat window, as in the target. The tiny vocabulary takes a token per byte, so the test asks for one
 * passage of at most 600 characters: with the system prompt and the question, about 800 tokens. The answer runs
 * to the end of the window, since nothing here asks for `maxTokens`.
 */
const window = 1024;

async function collect(events: AsyncGenerator<RagEvent>): Promise<RagEvent[]> {
  const all: RagEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('createRag with DOCCHAT_CHAT=gguf and DOCCHAT_EMBEDDER=gguf', () => {
  let rag: Rag;

  beforeAll(async () => {
    const config = loadConfig({
      DOCCHAT_CHAT: 'gguf',
      DOCCHAT_CHAT_MODEL_PATH: await writeTinyGguf({ contextLength: window, name: 'tiny-chat' }),
      DOCCHAT_EMBEDDER: 'gguf',
      DOCCHAT_EMBEDDING_MODEL_PATH: await writeTinyGguf({ embedding: true, name: 'tiny-embed' }),
      DOCCHAT_GGUF_CONTEXT: String(window),
      DOCCHAT_GGUF_THREADS: '1',
    });
    rag = createRag(config, { splitter: createRecursiveTextSplitter({ chunkSize: 600, chunkOverlap: 60 }) });
  });

  it('ingests a paper-sized text with embeddings and answers a question from it', async () => {
    expect(rag.model).toEqual({ name: 'tiny-chat', extractive: false });
    expect(rag.embedderName).toBe('gguf:tiny-embed');
    const index = rag.createIndex();
    const text = syntheticText(60_000, 8);
    const result = await rag.ingest({ name: 'paper.txt', data: new TextEncoder().encode(text) }, index, {
      documentId: 'paper',
    });
    expect(result.summary).toMatchObject({ id: 'paper', source: 'paper.txt' });
    expect(result.vectors?.length).toBe(index.chunks.length);
    expect(index.chunks.length).toBeGreaterThan(40);

    const events = await collect(rag.ask(index, 'What does the distillation stage improve?', { k: 1 }));
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('sources');
    expect(types.at(-1)).toBe('done');
    expect(events[0]).toMatchObject({ type: 'sources', sources: [expect.anything()] });
    expect(types).toContain('text-delta');
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', model: { name: 'tiny-chat', extractive: false } });
    const deltas = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : []));
    if (done?.type === 'done') expect(done.answer).toBe(deltas.join(''));
  }, 60_000);

  it('answers a ten-question conversation within a 1,024-token window: every prompt fitted, none cut', async () => {
    const index = rag.createIndex();
    const text = syntheticText(60_000, 9);
    await rag.ingest({ name: 'paper.txt', data: new TextEncoder().encode(text) }, index, {
      documentId: 'p2',
    });
    const questions = tenQuestions;
    const history: ChatMessage[] = [];
    for (const question of questions) {
      // The default k (4 passages) and the six-message history would overflow this window without the budget.
      const events = await collect(rag.ask(index, question, { history }));
      const errors = events.filter((event) => event.type === 'error');
      expect(errors, question).toEqual([]);
      const done = events.at(-1);
      expect(done?.type, question).toBe('done');
      if (done?.type !== 'done') continue;
      // A cut-off answer says so; the tiny model runs to its max_tokens, which the budget always sets.
      expect(['stop', 'length', undefined]).toContain(done.finishReason);
      history.push({ role: 'user', content: question }, { role: 'assistant', content: done.answer });
    }
  }, 300_000);
});
