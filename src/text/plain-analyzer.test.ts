import { describe, expect, it } from 'vitest';
import { createPlainAnalyzer } from './plain-analyzer.ts';

describe('createPlainAnalyzer', () => {
  const analyze = createPlainAnalyzer();

  it("splits like Lucene's standard tokenizer and stems with the original Porter algorithm", () => {
    expect(analyze('The patient’s IL-6 levels were RUNNING generalizations')).toEqual([
      'patient',
      'il',
      '6',
      'level',
      'were',
      'run',
      'gener',
    ]);
  });

  it('keeps numbers and dotted abbreviations whole, and splits on hyphens and slashes', () => {
    expect(analyze('3.5 of 1,000 in the U.S.A wi-fi CD4/CD8')).toEqual([
      '3.5',
      '1,000',
      'u.s.a',
      'wi',
      'fi',
      'cd4',
      'cd8',
    ]);
  });

  it('differs from Porter2 where the algorithms differ', () => {
    // Porter (1980) stems "generously" to "gener"; Porter2 would give "generous".
    expect(analyze('generously')).toEqual(['gener']);
  });
});
