import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitSentences } from './sentences.ts';

const texts = (text: string) => splitSentences(text).map((span) => text.slice(span.start, span.end));

describe('splitSentences', () => {
  it('splits at sentence ends and blank lines, not at abbreviations or decimals', () => {
    expect(texts('We use RL. It works, e.g. on math. Scores rose 3.5 points!\n\nNext part')).toEqual([
      'We use RL.',
      'It works, e.g. on math.',
      'Scores rose 3.5 points!',
      'Next part',
    ]);
    expect(texts('As shown by Guo et al. (2025) and J. Smith, it holds.')).toEqual([
      'As shown by Guo et al. (2025) and J. Smith, it holds.',
    ]);
  });

  it('ends a sentence after a heading line, but not inside a wrapped line', () => {
    expect(
      texts(
        '2.2.4 Self-evolution Process\nThe process is a fascinating demonstration of how reinforcement learning drives a\nModel forward.',
      ),
    ).toEqual([
      '2.2.4 Self-evolution Process',
      'The process is a fascinating demonstration of how reinforcement learning drives a\nModel forward.',
    ]);
  });

  it('ends a sentence at each list item', () => {
    expect(texts('Parts:\n- a library, usable alone;\n- a server\n1. first step\n2) second step')).toEqual([
      'Parts:',
      '- a library, usable alone;',
      '- a server',
      '1. first step',
      '2) second step',
    ]);
  });

  it('returns trimmed, ordered, non-empty spans for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        let previous = 0;
        for (const span of splitSentences(text)) {
          expect(span.start).toBeGreaterThanOrEqual(previous);
          expect(span.end).toBeGreaterThan(span.start);
          expect(text.slice(span.start, span.end).trim()).toBe(text.slice(span.start, span.end));
          previous = span.end;
        }
      }),
    );
  });
});
