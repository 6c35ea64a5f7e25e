import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '../embedders/local-embedder.ts';
import { runBeirEval } from './run-beir-eval.ts';
import { writeTinyBeir } from './tiny-beir-fixture.ts';

describe('runBeirEval', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await writeTinyBeir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores only the judged queries and finds every relevant document lexically', async () => {
    const phases = new Set<string>();
    const result = await runBeirEval(dir, { onProgress: (phase) => phases.add(phase) });
    expect(result.queries).toBe(3);
    expect(result.mode).toBe('lexical');
    // q1 needs the joined compound (IL6 ↔ IL-6) and ignores the misleading metadata.
    expect(result['ndcg@10']).toBe(1);
    expect(result['recall@10']).toBe(1);
    expect(result['recall@100']).toBe(1);
    expect(result['mrr@10']).toBe(1);
    expect(result.seconds).toBeGreaterThan(0);
    expect([...phases]).toEqual(['load', 'search']);
  });

  it('runs dense and hybrid modes with an embedder, embedding every document', async () => {
    const embedded: number[] = [];
    const dense = await runBeirEval(dir, {
      mode: 'dense',
      embedder: createLocalEmbedder(),
      onProgress: (phase, done) => {
        if (phase === 'embed') embedded.push(done);
      },
    });
    expect(embedded.at(-1)).toBe(4);
    expect(dense.mode).toBe('dense');
    expect(dense['recall@100']).toBe(1);
    const hybrid = await runBeirEval(dir, { mode: 'hybrid', embedder: createLocalEmbedder() });
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid['mrr@10']).toBeGreaterThan(0.5);
  });

  it('stops when the signal fires', async () => {
    await expect(runBeirEval(dir, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'aborted',
    });
  });
});
