import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { createLocalEmbedder } from './local-embedder.ts';

const cosine = (a: Float32Array, b: Float32Array): number => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
};
const norm = (vector: Float32Array): number => Math.sqrt(cosine(vector, vector));

describe('createLocalEmbedder', () => {
  it('returns one unit-length vector of the configured size per text, deterministically', async () => {
    const embedder = createLocalEmbedder();
    expect(embedder.dimensions).toBe(384);
    const texts = ['Insulin lowers blood glucose.', 'Vitamin D deficiency', 'x'];
    const first = await embedder.embed(texts);
    const again = await createLocalEmbedder().embed(texts);
    expect(first).toHaveLength(3);
    for (const [i, vector] of first.entries()) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector.length).toBe(384);
      expect(norm(vector)).toBeCloseTo(1, 5);
      expect(Array.from(vector)).toEqual(Array.from(again[i] ?? []));
    }
    const small = createLocalEmbedder({ dimensions: 64 });
    expect((await small.embed(['hello']))[0]?.length).toBe(64);
    expect(small.name).not.toBe(embedder.name);
  });

  it('scores shared words and word pieces above unrelated text', async () => {
    const embedder = createLocalEmbedder();
    const [query, inflected, related, unrelated] = await embedder.embed([
      'immunotherapy of melanoma',
      'Immunotherapies for melanomas',
      'melanoma immunotherapeutic response',
      'Statins reduce cholesterol.',
    ]);
    if (!query || !inflected || !related || !unrelated) throw new Error('missing vectors');
    expect(cosine(query, inflected)).toBeGreaterThan(0.9);
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
    expect(Math.abs(cosine(query, unrelated))).toBeLessThan(0.25);
  });

  it('embeds text without terms as the zero vector and an empty batch as nothing', async () => {
    const embedder = createLocalEmbedder();
    const [blank] = await embedder.embed(['  ... ']);
    expect(blank && norm(blank)).toBe(0);
    expect(await embedder.embed([])).toEqual([]);
  });

  it('embeds a 2 MB text', async () => {
    const words = ['protein', 'cell', 'IL-6', 'receptor', 'binding', 'assay', 'mouse', 'kinase'];
    const big = Array.from({ length: 300_000 }, (_, i) => words[i % words.length]).join(' ');
    expect(big.length).toBeGreaterThan(2_000_000);
    const [vector] = await createLocalEmbedder().embed([big]);
    expect(vector && norm(vector)).toBeCloseTo(1, 5);
  });

  it('stops when the signal has fired', async () => {
    await expect(createLocalEmbedder().embed(['a'], { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'aborted',
    });
  });

  it('rejects bad options with invalid_request', () => {
    for (const options of [
      { dimensions: 0 },
      { dimensions: 1.5 },
      { ngramRange: [4, 2] as const },
      { ngramWeight: 2 },
    ])
      expect(() => createLocalEmbedder(options)).toThrow(DocchatError);
  });
});
