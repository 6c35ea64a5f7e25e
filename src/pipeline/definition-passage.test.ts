import { describe, expect, it } from 'vitest';
import type { Chunk, ScoredChunk } from '../core/types.ts';
import { definitionNames, withDefinitionPassage } from './definition-passage.ts';

const chunk = (index: number, text: string): Chunk => ({
  id: `d#${index}`,
  documentId: 'd',
  source: 'paper.pdf',
  page: 1,
  start: 0,
  end: text.length,
  text,
});

describe('withDefinitionPassage', () => {
  const chunks = [
    chunk(0, 'We train DeepSeek models with reinforcement learning (RL) and no supervised data.'),
    chunk(1, 'RL steps improve the score. RL helps reasoning on math.'),
    chunk(2, 'Benchmarks include AIME and MATH-500.'),
    chunk(3, 'RL training is long.'),
  ];
  const acronyms = new Map([['RL', 'reinforcement learning']]);
  const hits = (indexes: number[]): ScoredChunk[] =>
    indexes.map((index, rank) => ({ chunk: chunks[index] as Chunk, score: 1 - rank / 10 }));

  it('puts the defining passage in the last place when retrieval missed it', () => {
    const result = withDefinitionPassage(hits([1, 3]), 'What is RL and how does it help?', chunks, acronyms);
    expect(result.map((hit) => hit.chunk.id)).toEqual(['d#1', 'd#0']);
    expect(result[1]?.score).toBeCloseTo(0.9, 12);
  });

  it('leaves the sources alone for other questions or when a retrieved passage defines the term', () => {
    expect(withDefinitionPassage(hits([1, 3]), 'How many RL steps?', chunks, acronyms)).toEqual(hits([1, 3]));
    expect(withDefinitionPassage(hits([0, 1]), 'What is RL?', chunks, acronyms)).toEqual(hits([0, 1]));
    expect(withDefinitionPassage(hits([2]), 'What is MATH-500?', chunks, acronyms)).toEqual(hits([2]));
  });

  it('knows a term by its acronym and by its long form', () => {
    expect(definitionNames('What is reinforcement learning?', acronyms)).toEqual([
      'reinforcement learning',
      'RL',
    ]);
    expect(definitionNames('What is RL?', acronyms)).toEqual(['RL', 'reinforcement learning']);
    expect(definitionNames('Why RL?', acronyms)).toBeNull();
  });
});
