import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { questionTerms, splitHighlights } from './highlight.ts';

describe('questionTerms', () => {
  it('keeps content words, folds case and plurals, drops stop words', () => {
    expect([...questionTerms('What are the Rewards used by GRPO in 2024?')]).toEqual([
      'reward',
      'used',
      'grpo',
      '2024',
    ]);
  });
});

describe('splitHighlights', () => {
  it('marks whole words that match, whatever their case or number', () => {
    const segments = splitHighlights(
      'Reward models: the reward is rule-based; rewarding.',
      questionTerms('rewards'),
    );
    expect(segments.filter((segment) => segment.match).map((segment) => segment.text)).toEqual([
      'Reward',
      'reward',
    ]);
  });

  it('treats markup in a passage as text to split, never as markup', () => {
    const text = '<img src=x onerror=alert(1)> reward';
    const segments = splitHighlights(text, questionTerms('img reward'));
    expect(segments.map((segment) => segment.text).join('')).toBe(text);
    expect(segments.filter((segment) => segment.match).map((segment) => segment.text)).toEqual([
      'img',
      'reward',
    ]);
  });

  it('always gives back the passage exactly', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (text, question) => {
        expect(
          splitHighlights(text, questionTerms(question))
            .map((segment) => segment.text)
            .join(''),
        ).toBe(text);
      }),
    );
  });
});
