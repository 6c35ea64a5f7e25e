import { beforeAll, describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { writeTinyGguf } from '../test-helpers/gguf-tiny-model.ts';
import { embedAll } from './embed-all.ts';
import type { Embedder } from './embedder.ts';
import { createGgufEmbedder } from './gguf-embedder.ts';

// Real llama.cpp embeddings (node-llama-cpp) from a tiny random-weight model with mean pooling.

describe('createGgufEmbedder', () => {
  let embedder: Embedder;

  beforeAll(async () => {
    const modelPath = await writeTinyGguf({ embedding: true, name: 'tiny-embed', contextLength: 256 });
    embedder = createGgufEmbedder({ modelPath, threads: 1, maxInputs: 4 });
  });

  it('declares its name and limits before loading', () => {
    expect(embedder.name).toBe('gguf:tiny-embed');
    expect(embedder.limits).toMatchObject({ maxInputs: 4, maxTokensPerInput: 512, concurrency: 1 });
  });

  it('returns one vector of the model width per text, the same for the same text', async () => {
    const [first, second, again] = await embedder.embed([
      'reinforcement learning',
      'a cold-start',
      'reinforcement learning',
    ]);
    expect(embedder.dimensions).toBe(64);
    expect(first).toHaveLength(64);
    expect(second).toHaveLength(64);
    expect(Array.from(again ?? [])).toEqual(Array.from(first ?? []));
    expect(Array.from(second ?? [])).not.toEqual(Array.from(first ?? []));
    expect(first?.every(Number.isFinite)).toBe(true);
  });

  it('embeds an empty text and cuts a text longer than the window', async () => {
    const vectors = await embedder.embed(['', 'x'.repeat(2000)]);
    expect(vectors.map((vector) => vector.length)).toEqual([64, 64]);
  });

  it('serves the batching policy: many texts in requests of at most maxInputs, in order', async () => {
    const texts = Array.from({ length: 10 }, (_, index) => `passage number ${index}`);
    const progress: number[] = [];
    const vectors = await embedAll(embedder, texts, { onProgress: (done) => progress.push(done) });
    expect(vectors).toHaveLength(10);
    expect(progress).toEqual([4, 8, 10]);
    const [single] = await embedder.embed([texts[7] as string]);
    expect(Array.from(vectors[7] ?? [])).toEqual(Array.from(single ?? []));
  });

  it('stops at an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await docchatFailure(embedder.embed(['text'], { signal: controller.signal }))).code).toBe(
      'aborted',
    );
  });
});
