import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import type { Embedder } from '../embedders/embedder.ts';
import { createLocalEmbedder } from '../embedders/local-embedder.ts';
import { createSearchIndex, defaultSearchMode } from './search-index.ts';

const chunk = (id: string, text: string): Chunk => ({
  id,
  documentId: 'doc',
  source: 'doc.txt',
  page: null,
  start: 0,
  end: text.length,
  text,
});

const chunks = [
  chunk('doc#0', 'Insulin lowers blood glucose in diabetic patients.'),
  chunk('doc#1', 'IL-6 drives inflammation in rheumatoid arthritis.'),
  chunk('doc#2', 'Statins reduce cholesterol and cardiovascular events.'),
  chunk('doc#3', 'Vitamin D deficiency is common in winter.'),
];

/** A toy "semantic" embedder: each text maps to a topic axis, so dense results differ from BM25's. */
function topicEmbedder(): Embedder {
  const topics = [
    /insulin|glucose|sugar/i,
    /il-6|inflamm|arthritis|joint/i,
    /statin|cholesterol|heart/i,
    /vitamin|sun/i,
  ];
  return {
    name: 'topic-test',
    dimensions: 4,
    limits: { maxInputs: 16, maxTokensPerRequest: 10_000, maxTokensPerInput: 1_000, concurrency: 1 },
    async embed(texts) {
      return texts.map((text) => Float32Array.from(topics, (topic) => (topic.test(text) ? 1 : 0)));
    },
  };
}

describe('createSearchIndex', () => {
  it('is lexical without an embedder, with BM25 scores scaled to 0..1', async () => {
    const index = createSearchIndex();
    expect(index.mode).toBe('lexical');
    expect(index.embedder).toBeNull();
    index.add(chunks);
    const hits = await index.retrieve('IL6 arthritis', { k: 3 });
    expect(hits.map((hit) => hit.chunk.id)).toEqual(['doc#1']);
    expect(hits[0]?.score).toBeGreaterThan(0);
    expect(hits[0]?.score).toBeLessThan(1);
    expect(index.chunks).toHaveLength(4);
  });

  it('chooses lexical for the offline hashing embedder and hybrid for a real model', () => {
    expect(defaultSearchMode(null)).toBe('lexical');
    expect(defaultSearchMode(createLocalEmbedder())).toBe('lexical');
    expect(defaultSearchMode(topicEmbedder())).toBe('hybrid');
    const offline = createSearchIndex({ embedder: createLocalEmbedder() });
    expect(offline.mode).toBe('lexical');
    // A lexical index needs no vectors, so ingestion does not embed.
    expect(offline.embedder).toBeNull();
  });

  it('searches by embedding in dense mode, scoring by cosine similarity', async () => {
    const embedder = topicEmbedder();
    const index = createSearchIndex({ embedder, mode: 'dense' });
    index.add(chunks, await embedder.embed(chunks.map((item) => item.text)));
    const hits = await index.retrieve('sore joints', { k: 2 });
    expect(hits[0]?.chunk.id).toBe('doc#1');
    expect(hits[0]?.score).toBeCloseTo(1, 6);
  });

  it('fuses BM25 and dense rankings with RRF in hybrid mode, 1 meaning first in both', async () => {
    const embedder = topicEmbedder();
    const index = createSearchIndex({ embedder });
    expect(index.mode).toBe('hybrid');
    index.add(chunks, await embedder.embed(chunks.map((item) => item.text)));
    const both = await index.retrieve('IL-6 inflammation', { k: 4 });
    expect(both[0]?.chunk.id).toBe('doc#1');
    expect(both[0]?.score).toBeCloseTo(1, 12);
    // "heart" is in no chunk, so only the dense side finds the statin chunk.
    const denseOnly = await index.retrieve('heart', { k: 4 });
    expect(denseOnly[0]?.chunk.id).toBe('doc#2');
    expect(denseOnly[0]?.score).toBeCloseTo(0.5, 12);
    expect(await index.retrieve('heart', { k: 4 })).toEqual(denseOnly);
  });

  it('adds chunks over time and keeps equal scores in insertion order', async () => {
    const index = createSearchIndex();
    index.add([chunk('a#0', 'alpha beta'), chunk('a#1', 'beta alpha')]);
    index.add([chunk('b#0', 'alpha beta')]);
    const hits = await index.retrieve('alpha', { k: 5 });
    expect(hits.map((hit) => hit.chunk.id)).toEqual(['a#0', 'a#1', 'b#0']);
  });

  it('returns nothing for k = 0, a blank query or an empty index', async () => {
    const index = createSearchIndex();
    expect(await index.retrieve('alpha', { k: 3 })).toEqual([]);
    index.add(chunks);
    expect(await index.retrieve('insulin', { k: 0 })).toEqual([]);
    expect(await index.retrieve('   ', { k: 3 })).toEqual([]);
  });

  it('rejects bad input with invalid_request and a fired signal with aborted', async () => {
    const embedder = topicEmbedder();
    expect(() => createSearchIndex({ mode: 'dense' })).toThrow(/needs an embedder/);
    const index = createSearchIndex({ embedder });
    expect(() => index.add(chunks)).toThrow(/needs 4 vectors/);
    expect(() => index.add(chunks.slice(0, 1), [new Float32Array(3)])).toThrow(/dimensions/);
    index.add(chunks.slice(0, 1), [new Float32Array(4)]);
    expect(() => index.add(chunks.slice(0, 1), [new Float32Array(4)])).toThrow(/already in the index/);
    await expect(index.retrieve('x', { k: -1 })).rejects.toBeInstanceOf(DocchatError);
    await expect(index.retrieve('x', { k: 1, signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'aborted',
    });
    expect(index.chunks).toHaveLength(1);
  });
});
