import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Heading, LoadedDocument } from '../core/types.ts';
import { createRecursiveTextSplitter } from './recursive-text-splitter.ts';
import { createSectionLocator } from './section-paths.ts';

/** The headings over `offset` by definition: for each heading at or before it, kept unless closed since. */
function reference(headings: readonly Heading[], offset: number): string[] {
  const before = headings.filter((heading) => heading.start <= offset);
  const path: string[] = [];
  before.forEach((heading, index) => {
    const closed = before.slice(index + 1).some((later) => later.level <= heading.level);
    if (!closed) path.push(heading.text);
  });
  return path;
}

describe('createSectionLocator', () => {
  it('nests headings by level and closes a section at the next heading of its level or above', () => {
    const headings: Heading[] = [
      { level: 1, text: '1 Intro', start: 0, end: 7 },
      { level: 2, text: '1.1 Goals', start: 20, end: 29 },
      { level: 3, text: '1.1.1 Speed', start: 40, end: 51 },
      { level: 2, text: '1.2 Scope', start: 60, end: 69 },
      { level: 1, text: '2 Method', start: 80, end: 88 },
    ];
    const locate = createSectionLocator(headings);
    const at = (offset: number) => locate(offset, offset + 1);
    expect([0, 25, 45, 65, 90].map(at)).toEqual([
      ['1 Intro'],
      ['1 Intro', '1.1 Goals'],
      ['1 Intro', '1.1 Goals', '1.1.1 Speed'],
      ['1 Intro', '1.2 Scope'],
      ['2 Method'],
    ]);
    // A chunk that opens with a section's last words and then its successor's heading is the successor's.
    expect(locate(55, 95)).toEqual(['1 Intro', '1.2 Scope']);
    expect(locate(55, 65)).toEqual(['1 Intro', '1.1 Goals', '1.1.1 Speed']);
    expect(locate(0, 10)).toEqual(['1 Intro']);
  });

  it('agrees with the definition for any headings and any increasing offsets (property)', () => {
    const headingsArbitrary = fc
      .array(fc.record({ level: fc.integer({ min: 1, max: 4 }), gap: fc.nat({ max: 30 }) }), {
        maxLength: 20,
      })
      .map((specs) => {
        let start = 0;
        return specs.map(({ level, gap }, index) => {
          start += gap;
          return { level, text: `h${index}`, start, end: start + 2 };
        });
      });
    fc.assert(
      fc.property(
        headingsArbitrary,
        fc.array(fc.tuple(fc.nat({ max: 700 }), fc.nat({ max: 400 })), { maxLength: 30 }),
        (headings, chunks) => {
          const locate = createSectionLocator(headings);
          // In any order: a chunk's section is the one in force at its start, or at the last heading of its lead.
          for (const [start, length] of chunks) {
            const lead = start + length * 0.25;
            const claimed = headings
              .filter((heading) => heading.start > start && heading.start <= lead)
              .at(-1);
            expect(locate(start, start + length)).toEqual(reference(headings, claimed?.start ?? start));
          }
        },
      ),
    );
  });
});

describe('splitters and sections', () => {
  it('gives each chunk the headings it starts under', () => {
    const text = '# Tides\n\nThe moon pulls the sea.\n\n## Spring tides\n\nSun and moon align twice a month.';
    const document: LoadedDocument = {
      source: 'tides.md',
      kind: 'text',
      text,
      pages: [],
      headings: [
        { level: 1, text: 'Tides', start: 0, end: 7 },
        {
          level: 2,
          text: 'Spring tides',
          start: text.indexOf('## Spring'),
          end: text.indexOf('## Spring') + 15,
        },
      ],
    };
    const chunks = createRecursiveTextSplitter({ chunkSize: 40, chunkOverlap: 0 }).split(document);
    const last = chunks.at(-1);
    expect(chunks[0]?.section).toEqual(['Tides']);
    expect(last?.text).toContain('month');
    expect(last?.section).toEqual(['Tides', 'Spring tides']);
    const plain = createRecursiveTextSplitter().split({ ...document, headings: undefined });
    expect(plain[0]?.section).toBeUndefined();
  });
});
