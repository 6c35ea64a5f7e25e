import { describe, expect, it } from 'vitest';
import { citationFromHref, linkCitations, splitCitations } from './citations.ts';

describe('splitCitations', () => {
  it('splits markers into citations, including lists and neighbours', () => {
    expect(splitCitations('Yes [1], and [2, 3][1].', 3)).toEqual([
      { type: 'text', text: 'Yes ' },
      { type: 'citation', n: 1 },
      { type: 'text', text: ', and ' },
      { type: 'citation', n: 2 },
      { type: 'citation', n: 3 },
      { type: 'citation', n: 1 },
      { type: 'text', text: '.' },
    ]);
  });

  it('leaves out-of-range numbers, years and existing links as text', () => {
    expect(splitCitations('In [2023] see [4] or [0] and [1](http://x)', 3)).toEqual([
      { type: 'text', text: 'In [2023] see [4] or [0] and [1](http://x)' },
    ]);
  });

  it('keeps every character of the text', () => {
    const text = 'a [1] b [2,9] c [2]';
    const joined = splitCitations(text, 2)
      .map((segment) => (segment.type === 'text' ? segment.text : `[${segment.n}]`))
      .join('');
    expect(joined).toBe(text);
  });
});

describe('linkCitations', () => {
  it('turns markers into #source links outside code only', () => {
    const markdown = 'R1 learns [1].\n\n```\narr[1]\n```\nUse `x[2]` and [2].';
    expect(linkCitations(markdown, 2)).toBe(
      'R1 learns [\\[1\\]](#source-1).\n\n```\narr[1]\n```\nUse `x[2]` and [\\[2\\]](#source-2).',
    );
  });

  it('reads the source number back from the link, and nothing from other links', () => {
    expect(citationFromHref('#source-12')).toBe(12);
    expect(citationFromHref('https://example.com/#source-1')).toBeNull();
    expect(citationFromHref(undefined)).toBeNull();
  });
});
