import { describe, expect, it } from 'vitest';
import { joinPages } from './join-pages.ts';
import { headingsFromOutline } from './pdf-headings.ts';

describe('headingsFromOutline', () => {
  it('looks on the next page, and after the heading before rather than inside its title', () => {
    const { text, pages } = joinPages([
      'Body of page one.',
      '2.3. Learning with Cold Start\nWords of a cold start.\n2.3.1. Cold Start\nMore words.',
    ]);
    const headings = headingsFromOutline(
      [{ title: 'Learning with Cold Start', page: 1, items: [{ title: 'Cold Start', page: 2, items: [] }] }],
      text,
      pages,
    );
    expect(headings.map((heading) => heading.text)).toEqual([
      '2.3 Learning with Cold Start',
      '2.3.1 Cold Start',
    ]);
    expect(text.slice(headings[1]?.start, headings[1]?.end)).toBe('2.3.1. Cold Start');
  });

  it('places each entry at its title on its page, nested by depth, in text order', () => {
    const { text, pages } = joinPages([
      'Preface\nSome words.',
      'Intro words.\n2.2.4. Performance\nSelf-evolution  Process of DeepSeek',
    ]);
    const headings = headingsFromOutline(
      [
        { title: 'Preface', page: 1, items: [] },
        {
          title: 'Performance',
          page: 2,
          items: [{ title: 'Self-evolution Process of DeepSeek', page: 2, items: [] }],
        },
        { title: 'Missing page', page: null, items: [] },
        { title: 'Not on the page', page: 2, items: [] },
      ],
      text,
      pages,
    );
    expect(headings.map(({ level, text: title }) => [level, title])).toEqual([
      [1, 'Preface'],
      [1, 'Not on the page'],
      [1, '2.2.4 Performance'],
      [2, 'Self-evolution Process of DeepSeek'],
    ]);
    const performance = headings[2];
    expect(text.slice(performance?.start, performance?.end)).toBe('2.2.4. Performance');
    // A title not found on its page is placed at the top of that page.
    expect(headings[1]?.start).toBe(pages[1]?.start);
  });
});
