import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBeirEval } from './run-beir-eval.ts';

const scifact = fileURLToPath(new URL('../../../shared/datasets/scifact', import.meta.url));

describe.skipIf(!existsSync(scifact))('SciFact (BEIR test split)', () => {
  it('reaches nDCG@10 >= 0.69 with the default offline retriever', { timeout: 120_000 }, async () => {
    const result = await runBeirEval(scifact, { split: 'test' });
    expect(result.mode).toBe('lexical');
    expect(result.queries).toBe(300);
    expect(result['ndcg@10']).toBeGreaterThanOrEqual(0.69);
    expect(result['recall@100']).toBeGreaterThan(0.9);
  });
});
