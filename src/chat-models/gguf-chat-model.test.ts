import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { writeTinyGguf } from '../test-helpers/gguf-tiny-model.ts';
import type { ChatModel, ChatRequest, FinishReason } from './chat-model.ts';
import { createGgufChatModel } from './gguf-chat-model.ts';

// Real llama.cpp inference (node-llama-cpp) over a tiny random-weight model the test helpers write. One thread:
// on a busy machine llama.cpp's threads wait on each other at every step of so small a model.
const threads = 1;

const request = (question: string, maxTokens?: number): ChatRequest => ({
  messages: [
    { role: 'system', content: 'Answer from the passages.' },
    { role: 'user', content: question },
  ],
  question,
  query: question,
  sources: [],
  kind: 'question',
  overviews: [],
  ...(maxTokens === undefined ? {} : { maxTokens }),
});

async function collect(model: ChatModel, chatRequest: ChatRequest, signal?: AbortSignal) {
  const deltas: string[] = [];
  const reasons: FinishReason[] = [];
  for await (const delta of model.stream(chatRequest, { signal, onFinish: (reason) => reasons.push(reason) }))
    deltas.push(delta);
  return { deltas, text: deltas.join(''), reasons };
}

describe('createGgufChatModel', () => {
  let modelPath: string;
  let model: ChatModel;

  beforeAll(async () => {
    modelPath = await writeTinyGguf({ contextLength: 512, name: 'tiny-chat' });
    model = createGgufChatModel({ modelPath, threads });
  });

  it('is labelled with the model file name', () => {
    expect(model.info).toEqual({ name: 'tiny-chat', extractive: false });
  });

  it('counts with the model tokenizer and reports the trained window', async () => {
    const counter = await model.tokens?.();
    expect(counter?.contextWindow).toBe(512);
    // The tiny vocabulary holds `▁` and bytes: one token per byte, plus the leading space marker.
    expect(await counter?.count('abc')).toBe(4);
    expect(await counter?.count('a b')).toBe(4);
    expect(await counter?.count('é')).toBe(3);
    // ChatML: `<|im_start|>user\n` … `<|im_end|>\n` and the answer's header.
    expect(counter?.perMessage).toBeGreaterThanOrEqual(10);
  });

  it('streams text deltas and ends with `length` at maxTokens', async () => {
    const { deltas, text, reasons } = await collect(model, request('What does the paper say?', 12));
    expect(deltas.length).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
    const counter = await model.tokens?.();
    expect(await counter?.count(text)).toBeLessThanOrEqual(13);
    expect(reasons).toEqual(['length']);
  });

  it('answers the same request the same way (greedy sampling)', async () => {
    const first = await collect(model, request('Same question', 8));
    const second = await collect(model, request('Same question', 8));
    expect(second.text).toBe(first.text);
  });

  it('fits the answer into what the window leaves when maxTokens is not set', async () => {
    const counter = await model.tokens?.();
    const question = 'q'.repeat(400);
    const { reasons, text } = await collect(model, request(question));
    expect(reasons).toEqual(['length']);
    // Prompt (about 400 tokens plus the template) and answer together stay inside the 512-token window.
    expect((await counter?.count(text)) ?? 0).toBeLessThan(512 - 400);
  });

  it('refuses a prompt larger than the window with context_overflow, cutting nothing', async () => {
    const failure = await docchatFailure(collect(model, request('w'.repeat(600), 4)));
    expect(failure.code).toBe('context_overflow');
    expect(failure.details).toMatchObject({ contextSize: 512 });
    // The model still answers the next request.
    expect((await collect(model, request('Next', 3))).reasons).toEqual(['length']);
  });

  it('stops when the signal is aborted mid-answer', async () => {
    const controller = new AbortController();
    const deltas: string[] = [];
    const reasons: FinishReason[] = [];
    const failure = await docchatFailure(
      (async () => {
        for await (const delta of model.stream(request('Long answer', 400), {
          signal: controller.signal,
          onFinish: (reason) => reasons.push(reason),
        })) {
          deltas.push(delta);
          if (deltas.length === 3) controller.abort();
        }
      })(),
    );
    expect(failure.code).toBe('aborted');
    expect(deltas.length).toBe(3);
    expect(reasons).toEqual([]);
    expect((await collect(model, request('After abort', 3))).reasons).toEqual(['length']);
  });

  it('ends a generation whose reader stops early, and serves the next request', async () => {
    for await (const _delta of model.stream(request('Stop reading', 400))) break;
    expect((await collect(model, request('Then this', 3))).reasons).toEqual(['length']);
  });

  it('takes concurrent requests one at a time', async () => {
    const [first, second] = await Promise.all([
      collect(model, request('One', 5)),
      collect(model, request('Two', 5)),
    ]);
    expect(first.reasons).toEqual(['length']);
    expect(second.reasons).toEqual(['length']);
  });

  it('ends with `stop` when the model ends its answer', async () => {
    const stopping = createGgufChatModel({
      modelPath: await writeTinyGguf({ behaviour: 'stop', name: 'tiny-stop' }),
      threads,
    });
    const { text, reasons } = await collect(stopping, request('Anything', 50));
    expect(text).toBe('');
    expect(reasons).toEqual(['stop']);
  });

  it('caps the window at the contextSize option', async () => {
    const small = createGgufChatModel({ modelPath, contextSize: 256, threads });
    expect((await small.tokens?.())?.contextWindow).toBe(256);
  });
});

describe('createGgufChatModel with a bad model file', () => {
  it('names a missing file', () => {
    const failure = (() => {
      try {
        createGgufChatModel({ modelPath: '/nonexistent/model.gguf' });
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toMatchObject({
      code: 'file_not_found',
      message: expect.stringContaining('/nonexistent/model.gguf'),
    });
  });

  it('rejects a file that is not GGUF', async () => {
    const path = join(dirname(await writeTinyGguf()), 'notes.gguf');
    await writeFile(path, 'just some text');
    expect(() => createGgufChatModel({ modelPath: path })).toThrow(
      expect.objectContaining({ code: 'model_file_invalid', message: expect.stringContaining(path) }),
    );
  });

  it('reports a GGUF file llama.cpp cannot load when first used', async () => {
    const path = join(dirname(await writeTinyGguf()), 'truncated.gguf');
    const bytes = (await import('../test-helpers/gguf-tiny-model.ts')).buildTinyGguf();
    await writeFile(path, bytes.subarray(0, 2000));
    const broken = createGgufChatModel({ modelPath: path, threads });
    const failure = await docchatFailure(collect(broken, request('Hi', 3)));
    expect(failure.code).toBe('model_file_invalid');
    expect(failure.message).toContain(path);
  });
});
