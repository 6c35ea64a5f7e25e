import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDocument } from './load-document.ts';
import { findMarkdownHeadings } from './markdown-headings.ts';

describe('findMarkdownHeadings', () => {
  it('finds ATX and setext headings with their levels and offsets, never inside code', () => {
    const text = [
      '# Guide to *falcons* #',
      '',
      'Intro text.',
      '',
      'Habits',
      '======',
      '',
      '```',
      '# not a heading',
      '```',
      '',
      '    # indented code, not a heading',
      '',
      '> ### Quoted heading',
      '',
      'Diet',
      '----',
      '#hashtag is text',
    ].join('\n');
    const headings = findMarkdownHeadings(text);
    expect(headings.map(({ level, text: plain }) => ({ level, text: plain }))).toEqual([
      { level: 1, text: 'Guide to falcons' },
      { level: 1, text: 'Habits' },
      { level: 3, text: 'Quoted heading' },
      { level: 2, text: 'Diet' },
    ]);
    expect(headings.map((heading) => text.slice(heading.start, heading.end))).toEqual([
      'Guide to *falcons*',
      'Habits',
      'Quoted heading',
      'Diet',
    ]);
  });

  it('spans each heading’s text exactly, whatever precedes it (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/u);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            level: fc.integer({ min: 1, max: 6 }),
            words: fc.array(word, { minLength: 1, maxLength: 5 }),
            body: fc.array(word, { maxLength: 8 }),
          }),
          { maxLength: 8 },
        ),
        fc.constantFrom('\n', '\r\n'),
        (sections, newline) => {
          const text = sections
            .map(
              (section) =>
                `${'#'.repeat(section.level)} ${section.words.join(' ')}${newline}${newline}${section.body.join(' ')}`,
            )
            .join(newline + newline);
          const headings = findMarkdownHeadings(text);
          expect(headings).toHaveLength(sections.length);
          headings.forEach((heading, index) => {
            const section = sections[index];
            expect(heading.level).toBe(section?.level);
            expect(heading.text).toBe(section?.words.join(' '));
            expect(text.slice(heading.start, heading.end)).toBe(heading.text);
          });
        },
      ),
    );
  });

  it('comes with Markdown files through loadDocument, offsets into the loaded text', async () => {
    const document = await loadDocument({
      name: 'notes.md',
      data: new TextEncoder().encode('Intro\r\n\r\n## Part two\r\nBody\r\n'),
    });
    expect(document.format).toBe('markdown');
    expect(document.headings).toEqual([{ level: 2, text: 'Part two', start: 10, end: 18 }]);
    expect(document.text.slice(10, 18)).toBe('Part two');
  });
});
