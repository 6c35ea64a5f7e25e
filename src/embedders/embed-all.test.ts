import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { sleep } from '../core/retry.ts';
import { hashEmbedding } from '../test-helpers/fake-openai-server.ts';
import { setupFakeOpenAIServer } from '../test-helpers/setup-fake-openai-server.ts';
import { embedAll, estimateTokens, packBatches, truncateToTokens } from './embed-all.ts';
import type { Embedder, EmbedderLimits } from './embedder.ts';
import { createOpenAIEmbedder, openAIEmbeddingLimits } from './openai-embedder.ts';

/** Characters of every cost class: ASCII, other BMP, and astral (surrogate pairs). */
const mixedUnit = fc.constantFrom('a', 'b', ' ', '.', 'é', '深', '😀');

const tinyRetry = { baseDelayMs: 1, maxDelayMs: 10 };

/** An in-memory Embedder that records its calls and the peak number in flight; vectors encode the text length. */
function countingEmbedder(
  limits: Partial<EmbedderLimits> = {},
  behaviour: (call: number) => void = () => {},
) {
  const calls: string[][] = [];
  let inFlight = 0;
  let peak = 0;
  const embedder: Embedder = {
    name: 'counting',
    dimensions: 2,
    limits: { maxInputs: 3, maxTokensPerRequest: 1000, maxTokensPerInput: 100, concurrency: 2, ...limits },
    async embed(texts, { signal } = {}) {
      calls.push([...texts]);
      const call = calls.length;
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        await sleep(1, signal);
        behaviour(call);
        return texts.map((text) => Float32Array.from([text.length, call]));
      } finally {
        inFlight--;
      }
    },
  };
  return { embedder, calls, peak: () => peak };
}

describe('embedAll with any Embedder', () => {
  it('packs texts into requests within maxInputs, keeps order and the concurrency limit, reports progress', async () => {
    const { embedder, calls, peak } = countingEmbedder();
    const texts = Array.from({ length: 10 }, (_, i) => 'x'.repeat(i + 1));
    const progress: [number, number][] = [];
    const vectors = await embedAll(embedder, texts, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(calls.map((call) => call.length)).toEqual([3, 3, 3, 1]);
    expect(vectors.map((vector) => vector[0])).toEqual(texts.map((text) => text.length));
    expect(peak()).toBe(2);
    const done = progress.map(([count]) => count);
    expect(done).toHaveLength(4);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([10, 10]);
    expect(progress.every(([, total]) => total === 10)).toBe(true);
  });

  it('splits on the estimated token budget and truncates an over-long text', async () => {
    const { embedder, calls } = countingEmbedder({
      maxInputs: 100,
      maxTokensPerRequest: 10,
      maxTokensPerInput: 6,
    });
    // 'a' * 15 is 5 tokens; 'b' * 60 is 20 tokens and is cut to 18 characters (6 tokens).
    await embedAll(embedder, ['a'.repeat(15), 'a'.repeat(15), 'b'.repeat(60), 'c']);
    expect(calls).toEqual([
      ['a'.repeat(15), 'a'.repeat(15)],
      ['b'.repeat(18), 'c'],
    ]);
  });

  it('retries a failed request and returns every vector once', async () => {
    const { embedder, calls } = countingEmbedder({ concurrency: 1 }, (call) => {
      if (call === 2) throw new DocchatError('rate_limited', 'slow down', { details: { retryAfterMs: 1 } });
      if (call === 3) throw new DocchatError('upstream_error', 'HTTP 500');
    });
    const vectors = await embedAll(embedder, ['a', 'bb', 'ccc', 'dddd', 'eeeee'], { retry: tinyRetry });
    expect(calls).toEqual([
      ['a', 'bb', 'ccc'],
      ['dddd', 'eeeee'],
      ['dddd', 'eeeee'],
      ['dddd', 'eeeee'],
    ]);
    expect(vectors.map((vector) => vector[0])).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails at once on a non-transient error, and turns a foreign error into a DocchatError', async () => {
    const auth = countingEmbedder({}, () => {
      throw new DocchatError('auth_failed', 'bad key');
    });
    await expect(embedAll(auth.embedder, ['a'], { retry: tinyRetry })).rejects.toMatchObject({
      code: 'auth_failed',
    });
    expect(auth.calls).toHaveLength(1);
    const buggy = countingEmbedder({}, () => {
      throw new RangeError('oops');
    });
    await expect(embedAll(buggy.embedder, ['a'])).rejects.toMatchObject({ code: 'internal' });
  });

  it('rejects an embedder that returns the wrong number of vectors', async () => {
    const embedder: Embedder = {
      ...countingEmbedder().embedder,
      embed: async () => [Float32Array.from([1, 2])],
    };
    await expect(embedAll(embedder, ['a', 'b'])).rejects.toMatchObject({ code: 'upstream_error' });
  });

  it('aborts promptly: in-flight requests see the signal, no new request starts', async () => {
    const controller = new AbortController();
    const seen: boolean[] = [];
    const embedder: Embedder = {
      name: 'slow',
      dimensions: 1,
      limits: { maxInputs: 1, maxTokensPerRequest: 100, maxTokensPerInput: 100, concurrency: 2 },
      embed: (texts, { signal } = {}) =>
        new Promise((resolve, reject) => {
          signal?.addEventListener('abort', () => {
            seen.push(true);
            reject(new DocchatError('aborted', 'cancelled'));
          });
          setTimeout(() => resolve([Float32Array.from([1])]), 60_000).unref();
          if (texts[0] === 'b') controller.abort();
        }),
    };
    await expect(
      embedAll(embedder, ['a', 'b', 'c', 'd'], { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'aborted',
    });
    expect(seen).toEqual([true, true]);
    expect(await embedAll(embedder, [], { signal: controller.signal }).catch((error) => error.code)).toBe(
      'aborted',
    );
  });

  it('returns nothing for nothing, without a call', async () => {
    const { embedder, calls } = countingEmbedder();
    expect(await embedAll(embedder, [])).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});

describe('packBatches', () => {
  it('keeps every text in order and every batch within the limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40, unit: mixedUnit }), { maxLength: 30 }),
        fc.record({
          maxInputs: fc.integer({ min: 1, max: 8 }),
          maxTokensPerInput: fc.integer({ min: 1, max: 20 }),
          extra: fc.integer({ min: 0, max: 60 }),
        }),
        (texts, { maxInputs, maxTokensPerInput, extra }) => {
          const limits = {
            maxInputs,
            maxTokensPerInput,
            maxTokensPerRequest: maxTokensPerInput + extra,
            concurrency: 1,
          };
          const batches = packBatches(texts, limits);
          const flat = batches.flatMap((batch) => batch.texts);
          expect(flat).toHaveLength(texts.length);
          expect(flat.every((text, i) => (texts[i] ?? '').startsWith(text))).toBe(true);
          expect(batches.map((batch) => batch.start)).toEqual(
            batches.map((_, i) => batches.slice(0, i).reduce((sum, batch) => sum + batch.texts.length, 0)),
          );
          const tokens = (batch: { texts: string[] }) =>
            batch.texts.reduce((sum, text) => sum + estimateTokens(text), 0);
          expect(batches.every((batch) => batch.texts.length > 0 && batch.texts.length <= maxInputs)).toBe(
            true,
          );
          expect(batches.every((batch) => tokens(batch) <= limits.maxTokensPerRequest)).toBe(true);
        },
      ),
    );
  });
});

describe('estimateTokens and truncateToTokens', () => {
  it('estimates high: a third of a token per ASCII character, one per other code unit', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcdef')).toBe(2);
    expect(estimateTokens('abcdefg')).toBe(3);
    expect(estimateTokens('深度求索')).toBe(4);
  });

  it('cuts to the budget without splitting a surrogate pair', () => {
    expect(truncateToTokens('abcdefghij', 2)).toBe('abcdef');
    expect(truncateToTokens('short', 100)).toBe('short');
    expect(truncateToTokens('ab😀', 2)).toBe('ab');
    fc.assert(
      fc.property(
        fc.string({ unit: mixedUnit, maxLength: 80 }),
        fc.integer({ min: 0, max: 30 }),
        (text, max) => {
          const cut = truncateToTokens(text, max);
          expect(text.startsWith(cut)).toBe(true);
          expect(estimateTokens(cut)).toBeLessThanOrEqual(max);
          const last = cut.charCodeAt(cut.length - 1);
          expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        },
      ),
    );
  });
});

describe('embedAll through the loopback OpenAI server', () => {
  const server = setupFakeOpenAIServer({ apiKey: 'sk-test' });
  const embedder = () =>
    createOpenAIEmbedder({
      apiKey: 'sk-test',
      baseURL: server.url,
      dimensions: 8,
      limits: openAIEmbeddingLimits,
    });
  // The embedder also asks the server for its tokenizer (`/tokenize`, which this OpenAI-like fake has not).
  const embeddingRequests = () => server.requests.filter((request) => request.path === '/v1/embeddings');

  it('embeds 5,000 texts in a few requests of at most 2,048 inputs, in order', async () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `passage number ${i}`);
    const vectors = await embedAll(embedder(), texts);
    expect(embeddingRequests().map((request) => (request.body as { input: string[] }).input.length)).toEqual(
      expect.arrayContaining([2048, 2048, 904]),
    );
    expect(embeddingRequests()).toHaveLength(3);
    expect(vectors).toHaveLength(5000);
    expect(vectors[4321]).toEqual(hashEmbedding('passage number 4321', 8));
  });

  it('gets through a 429 and a 500', async () => {
    server.fail({ kind: 'rate-limit', retryAfterMs: 5 }, { endpoint: 'embeddings' });
    server.fail({ kind: 'server-error' }, { endpoint: 'embeddings' });
    const retries: string[] = [];
    const vectors = await embedAll(embedder(), ['alpha', 'beta'], {
      retry: { ...tinyRetry, onRetry: ({ error }) => retries.push((error as DocchatError).code) },
    });
    expect(retries).toEqual(['rate_limited', 'upstream_error']);
    expect(embeddingRequests()).toHaveLength(3);
    expect(vectors[1]).toEqual(hashEmbedding('beta', 8));
  });

  it('stops midway on abort, closing the request in flight', async () => {
    server.configure({ embeddingDelayMs: 30 });
    const controller = new AbortController();
    const slow = createOpenAIEmbedder({
      apiKey: 'sk-test',
      baseURL: server.url,
      dimensions: 8,
      limits: { maxInputs: 2, concurrency: 1 },
    });
    const texts = Array.from({ length: 10 }, (_, i) => `text ${i}`);
    const pending = embedAll(slow, texts, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await sleep(50);
    expect(embeddingRequests().length).toBeLessThan(5);
    const outcomes = await Promise.all(embeddingRequests().map((request) => server.settled(request)));
    expect(outcomes[0]).toBe('completed');
    expect(outcomes.slice(1)).not.toContain('completed');
  });
});

describe('embedAll against a llama.cpp embeddings-only server', () => {
  const server = setupFakeOpenAIServer({
    flavor: 'llama.cpp',
    embeddingsOnly: true,
    models: ['nomic-embed-text'],
    maxEmbeddingInputTokens: 512,
  });

  it('batches by the server’s counted tokens, trims over-long passages with a warning, reports each batch', async () => {
    // Passages of about 1.4 characters per token, as the issue measured: an estimate of 3 would overflow.
    const passage = (i: number) => `Passage ${i}. ${'深度求索 R1 '.repeat(60)}`;
    const texts = [...Array.from({ length: 9 }, (_, i) => passage(i)), `Overlong. ${'词'.repeat(1200)}`];
    const embedder = createOpenAIEmbedder({
      baseURL: server.url,
      model: 'nomic-embed-text',
      limits: { maxInputs: 4, maxTokensPerInput: 512 },
    });
    const progress: number[] = [];
    const warnings: string[] = [];
    const vectors = await embedAll(embedder, texts, {
      onProgress: (done) => progress.push(done),
      onWarning: (message) => warnings.push(message),
    });
    expect(vectors).toHaveLength(10);
    expect(progress).toEqual([4, 8, 10]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1 of 10 passages');
    const batches = server.requests.filter((request) => request.path === '/v1/embeddings');
    expect(batches).toHaveLength(3);
    expect(server.requests.some((request) => request.path === '/tokenize')).toBe(true);
  });

  it('sends no further batch once the upload is cancelled', async () => {
    server.configure({ embeddingDelayMs: 20 });
    const embedder = createOpenAIEmbedder({
      baseURL: server.url,
      model: 'nomic-embed-text',
      limits: { maxInputs: 1 },
    });
    const controller = new AbortController();
    const pending = embedAll(embedder, ['a', 'b', 'c', 'd', 'e'], {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await sleep(60);
    expect(server.requests.filter((request) => request.path === '/v1/embeddings')).toHaveLength(1);
  });

  it('reports the 501 of a chat request to an embeddings-only server without retrying', async () => {
    const { createOpenAIChatModel } = await import('../chat-models/openai-chat-model.ts');
    const chat = createOpenAIChatModel({ baseURL: server.url, model: 'nomic-embed-text' });
    const request = {
      messages: [{ role: 'user' as const, content: 'Hi' }],
      question: 'Hi',
      query: 'Hi',
      sources: [],
      kind: 'question' as const,
      overviews: [],
    };
    await expect(
      (async () => {
        for await (const _ of chat.stream(request)) {
          // No text is expected.
        }
      })(),
    ).rejects.toMatchObject({ code: 'upstream_error', details: { status: 501 } });
    expect(server.requests.filter((request) => request.path === '/v1/chat/completions')).toHaveLength(1);
  });
});
