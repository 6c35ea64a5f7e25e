import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Chunk, LoadedDocument, PageSpan } from '../core/types.ts';
import { createRecursiveTextSplitter } from './recursive-text-splitter.ts';

const textDocument = (text: string): LoadedDocument => ({
  source: 'notes.txt',
  kind: 'text',
  text,
  pages: [],
});

/** A PDF-like document: pages joined with a blank line, as the loaders do. */
function pagedDocument(pageTexts: readonly string[]): LoadedDocument {
  const pages: PageSpan[] = [];
  let text = '';
  for (const [index, pageText] of pageTexts.entries()) {
    if (index > 0) text += '\n\n';
    pages.push({ page: index + 1, start: text.length, end: text.length + pageText.length });
    text += pageText;
  }
  return { source: 'paper.pdf', kind: 'pdf', text, pages };
}

const isWhitespace = (code: number): boolean => /\s/.test(String.fromCharCode(code));
const codePointLength = (text: string): number => Array.from(text).length;
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;
const splitsPair = (text: string, index: number): boolean =>
  isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));

/** Text fragments that stress boundaries: words, sentence ends, blank lines, emoji, CJK, very long words. */
const fragment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'word',
      'the',
      'a',
      ' ',
      '  ',
      '\t',
      '\n',
      '\n\n',
      '\n\n\n\n',
      '\r\n',
      '\r\n\r\n',
      '. ',
      '! ',
      '?" ',
      '😀',
      '𝒳𝒴',
      '你好。',
      '世界！',
      '\u2029',
      '\u00a0',
      '\uD83D',
      '\uDE00',
    ),
  },
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
    maxLength: 4,
  }),
  fc.integer({ min: 20, max: 90 }).map((length) => 'x'.repeat(length)),
);
const arbitraryText = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));
/** Text dense in surrogate pairs and breaks, so that page starts often fall inside a pair. */
const pairDenseText = fc
  .array(fc.constantFrom('😀', '𝒳', 'x', ' ', '\n\n', '. '), { maxLength: 40 })
  .map((parts) => parts.join(''));

/** Documents without pages, with pages joined by blank lines (some empty), or with arbitrary valid spans. */
const arbitraryDocument: fc.Arbitrary<LoadedDocument> = fc.oneof(
  arbitraryText.map(textDocument),
  fc.array(fc.oneof(arbitraryText, fc.constant('')), { minLength: 1, maxLength: 5 }).map(pagedDocument),
  fc
    .tuple(fc.oneof(arbitraryText, pairDenseText), fc.array(fc.nat({ max: 200 }), { maxLength: 6 }))
    .map(([text, positions]): LoadedDocument => {
      const cuts = [0, ...positions.map((position) => position % (text.length + 1)).sort((a, b) => a - b)];
      const pages = cuts.map((start, index) => ({
        page: index + 1,
        start,
        end: cuts[index + 1] ?? text.length,
      }));
      return { source: 'odd.pdf', kind: 'pdf', text, pages };
    }),
);

const arbitrarySizes = fc
  .integer({ min: 1, max: 60 })
  .chain((chunkSize) =>
    fc.record({ chunkSize: fc.constant(chunkSize), chunkOverlap: fc.nat(chunkSize - 1) }),
  );

/** The page on which `index` lies, computed naively: the last page starting at or before it. */
function expectedPage(document: LoadedDocument, index: number): number | null {
  if (document.pages.length === 0) return null;
  const started = document.pages.filter((span) => span.start <= index);
  return (started.at(-1) ?? document.pages[0])?.page ?? null;
}

/** Every broken invariant, described; collecting them keeps a property run to one assertion. */
function invariantViolations(
  document: LoadedDocument,
  chunks: Chunk[],
  chunkSize: number,
  chunkOverlap: number,
): string[] {
  const { text } = document;
  const violations: string[] = [];
  const covered = new Uint8Array(text.length);
  for (const [index, chunk] of chunks.entries()) {
    const fail = (what: string) => violations.push(`chunk ${index} [${chunk.start}, ${chunk.end}): ${what}`);
    if (chunk.id !== `${document.source}#${index}`) fail(`id ${chunk.id}`);
    if (chunk.source !== document.source || chunk.documentId !== document.source) fail('source');
    if (text.slice(chunk.start, chunk.end) !== chunk.text) fail('text is not the slice of its offsets');
    if (chunk.text.trim() !== chunk.text) fail('starts or ends with whitespace');
    if (chunk.text.length === 0) fail('empty');
    if (codePointLength(chunk.text) > chunkSize) fail(`longer than ${chunkSize}`);
    if (splitsPair(text, chunk.start) || splitsPair(text, chunk.end)) fail('splits a surrogate pair');
    if (chunk.page !== expectedPage(document, chunk.start)) fail(`page ${chunk.page}`);
    covered.fill(1, chunk.start, chunk.end);
    const previous = chunks[index - 1];
    if (previous === undefined) continue;
    if (chunk.start <= previous.start || chunk.end <= previous.end) fail('out of order');
    const shared = chunk.start < previous.end ? codePointLength(text.slice(chunk.start, previous.end)) : 0;
    if (shared > chunkOverlap) fail(`overlaps the previous chunk by ${shared}`);
    // An overlap starts after whitespace, after a CJK full stop or closing quote, or at a page start.
    const before = text[chunk.start - 1] ?? '';
    const atBoundary =
      /\s/.test(before) ||
      /[。！？｡"'”’)\]»」』）】》〉]/.test(before) ||
      document.pages.some((span) => span.start === chunk.start);
    if (shared > 0 && !atBoundary) fail('overlap starts mid-word');
  }
  for (let index = 0; index < text.length; index++) {
    if (covered[index] === 0 && !isWhitespace(text.charCodeAt(index))) {
      violations.push(`character ${index} is in no chunk`);
      break;
    }
  }
  return violations;
}

describe('createRecursiveTextSplitter', () => {
  it('keeps every invariant for any document and any valid sizes', () => {
    fc.assert(
      fc.property(arbitraryDocument, arbitrarySizes, (document, { chunkSize, chunkOverlap }) => {
        const chunks = createRecursiveTextSplitter({ chunkSize, chunkOverlap }).split(document);
        expect(invariantViolations(document, chunks, chunkSize, chunkOverlap)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every invariant on cases fast-check once found against broken variants', () => {
    const cases: [LoadedDocument, number, number][] = [
      // A page starting inside a surrogate pair must not become a place to cut.
      [
        {
          source: 'odd.pdf',
          kind: 'pdf',
          text: `𐀀${'x'.repeat(20)}`,
          pages: [
            { page: 1, start: 0, end: 1 },
            { page: 2, start: 1, end: 22 },
          ],
        },
        1,
        0,
      ],
      // With a large overlap, a break at the previous chunk's end must not end the next chunk too.
      [pagedDocument(['!', 'x'.repeat(27), `${'x'.repeat(20)}\u0000\u0000\u0000\u0000\u0000`]), 53, 27],
    ];
    for (const [document, chunkSize, chunkOverlap] of cases) {
      const chunks = createRecursiveTextSplitter({ chunkSize, chunkOverlap }).split(document);
      expect(invariantViolations(document, chunks, chunkSize, chunkOverlap)).toEqual([]);
    }
  });

  it('keeps every invariant on a long document with the default sizes', () => {
    const sentences = [
      'DeepSeek-R1 is trained with reinforcement learning.',
      'It reasons step by step 🤔 before it answers!',
      'Distillation transfers that skill to smaller models, e.g. Qwen and Llama.',
      '强化学习提升了推理能力。',
      `A very long identifier ${'z'.repeat(1500)} ends here.`,
    ];
    const pages: string[] = [];
    for (let page = 0; page < 30; page++) {
      const lines: string[] = [];
      for (let line = 0; line < 12; line++)
        lines.push(sentences[(page * 7 + line * 3) % sentences.length] ?? '');
      pages.push(lines.join(page % 2 === 0 ? ' ' : '\n'));
    }
    const document = pagedDocument(pages);
    const splitter = createRecursiveTextSplitter();
    const chunks = splitter.split(document);
    expect(invariantViolations(document, chunks, splitter.chunkSize, splitter.chunkOverlap)).toEqual([]);
    expect(chunks.length).toBeGreaterThan(document.text.length / 1000);
  });

  it('ends a chunk at a paragraph break before a sentence end, and at a sentence end before a space', () => {
    const splitter = createRecursiveTextSplitter({ chunkSize: 40, chunkOverlap: 0 });
    const paragraph = 'aaaa aaaa aaaa aaaa aaaa.\n\nbbbb. cccc dddd eeee';
    expect(splitter.split(textDocument(paragraph)).map((chunk) => chunk.text)).toEqual([
      'aaaa aaaa aaaa aaaa aaaa.',
      'bbbb. cccc dddd eeee',
    ]);
    const sentence = 'aaaa aaaa aaaa aaaa aaaa. bbbb cccc dddd eeee ffff';
    expect(splitter.split(textDocument(sentence)).map((chunk) => chunk.text)).toEqual([
      'aaaa aaaa aaaa aaaa aaaa.',
      'bbbb cccc dddd eeee ffff',
    ]);
    const words = 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj';
    expect(splitter.split(textDocument(words)).map((chunk) => chunk.text)).toEqual([
      'aaaa bbbb cccc dddd eeee ffff gggg hhhh',
      'iiii jjjj',
    ]);
  });

  it('prefers a line break to a sentence end when both keep the chunk half full', () => {
    const splitter = createRecursiveTextSplitter({ chunkSize: 40, chunkOverlap: 0 });
    const text = 'aaaa aaaa aaaa aaaa aaaa\nbbbb. cccc dddd eeee ffff';
    expect(splitter.split(textDocument(text))[0]?.text).toBe('aaaa aaaa aaaa aaaa aaaa');
  });

  it('skips a strong boundary that would leave the chunk less than half full', () => {
    const splitter = createRecursiveTextSplitter({ chunkSize: 40, chunkOverlap: 0 });
    const text = 'Title\n\naaaa aaaa aaaa aaaa aaaa. bbbb cccc dddd eeee';
    expect(splitter.split(textDocument(text))[0]?.text).toBe('Title\n\naaaa aaaa aaaa aaaa aaaa.');
  });

  it('cuts mid-word only when one word fills the window, never inside a surrogate pair', () => {
    const splitter = createRecursiveTextSplitter({ chunkSize: 30, chunkOverlap: 10 });
    expect(splitter.split(textDocument('x'.repeat(100))).map((chunk) => [chunk.start, chunk.end])).toEqual([
      [0, 30],
      [30, 60],
      [60, 90],
      [90, 100],
    ]);
    const emoji = createRecursiveTextSplitter({ chunkSize: 3, chunkOverlap: 0 }).split(
      textDocument('😀😀😀😀'),
    );
    expect(emoji.map((chunk) => chunk.text)).toEqual(['😀😀😀', '😀']);
    expect(emoji.map((chunk) => [chunk.start, chunk.end])).toEqual([
      [0, 6],
      [6, 8],
    ]);
  });

  it('ends chunks after CJK full stops, which need no space', () => {
    const splitter = createRecursiveTextSplitter({ chunkSize: 8, chunkOverlap: 0 });
    expect(splitter.split(textDocument('你好世界。再见朋友们。谢谢')).map((chunk) => chunk.text)).toEqual([
      '你好世界。',
      '再见朋友们。谢谢',
    ]);
  });

  it('overlaps from a sentence start, within chunkOverlap', () => {
    const splitter = createRecursiveTextSplitter({ chunkSize: 50, chunkOverlap: 20 });
    const text = 'One two three four five six. Seven eight. Nine ten eleven twelve thirteen fourteen.';
    const chunks = splitter.split(textDocument(text));
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      'One two three four five six. Seven eight.',
      'Seven eight. Nine ten eleven twelve thirteen',
      'twelve thirteen fourteen.',
    ]);
  });

  it('assigns the page where each chunk starts and starts chunks at the top of a page', () => {
    const document = pagedDocument([
      'Page one has some words. And more words here.',
      'Page two is here. It also has words.',
      'Page three ends it.',
    ]);
    const chunks = createRecursiveTextSplitter({ chunkSize: 50, chunkOverlap: 20 }).split(document, 'doc-1');
    expect(chunks.map(({ text, page }) => [page, text])).toEqual([
      [1, 'Page one has some words. And more words here.'],
      [2, 'Page two is here. It also has words.'],
      [3, 'Page three ends it.'],
    ]);
    expect(chunks.map((chunk) => chunk.id)).toEqual(['doc-1#0', 'doc-1#1', 'doc-1#2']);
    expect(chunks.every((chunk) => chunk.documentId === 'doc-1' && chunk.source === 'paper.pdf')).toBe(true);
    expect(chunks.map((chunk) => chunk.start)).toEqual(document.pages.map((span) => span.start));
  });

  it('starts the overlapping chunk at a page start when one is in reach', () => {
    const document = pagedDocument(['aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii', 'Next page words here.']);
    // Page 1 is 44 characters: the first chunk can reach into page 2 only up to 50, so it ends on page 1.
    const chunks = createRecursiveTextSplitter({ chunkSize: 50, chunkOverlap: 30 }).split(document);
    expect(chunks.map((chunk) => chunk.page)).toEqual([1, 2]);
    expect(chunks[1]?.start).toBe(document.pages[1]?.start);
  });

  it('gives no chunks for empty or whitespace-only text', () => {
    const splitter = createRecursiveTextSplitter();
    expect(splitter.split(textDocument(''))).toEqual([]);
    expect(splitter.split(textDocument(' \n\n\t \u3000\r\n'))).toEqual([]);
    expect(splitter.split(pagedDocument(['', ' ', '']))).toEqual([]);
  });

  it('trims chunks by offsets, keeping one chunk for short text', () => {
    const chunks = createRecursiveTextSplitter().split(textDocument('\n\n  Hello world.  \n'));
    expect(chunks).toEqual([
      {
        id: 'notes.txt#0',
        documentId: 'notes.txt',
        source: 'notes.txt',
        page: null,
        start: 4,
        end: 16,
        text: 'Hello world.',
      },
    ]);
  });

  it('refuses unusable sizes and page spans with invalid_request', () => {
    for (const options of [{ chunkSize: 10, chunkOverlap: 10 }, { chunkSize: 0 }, { chunkOverlap: -1 }]) {
      expect(() => createRecursiveTextSplitter(options)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    }
    const badPages: LoadedDocument = {
      source: 'bad.pdf',
      kind: 'pdf',
      text: 'abc def',
      pages: [
        { page: 1, start: 4, end: 7 },
        { page: 2, start: 0, end: 3 },
      ],
    };
    expect(() => createRecursiveTextSplitter().split(badPages)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});
