import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { createCharacterTextSplitter } from './character-text-splitter.ts';

const textDocument = (text: string): LoadedDocument => ({
  source: 'notes.txt',
  kind: 'text',
  text,
  pages: [],
});

/** A literal port of the Python reference, slicing code points as Python does. */
function referenceSplit(text: string, chunkSize: number, chunkOverlap: number): string[] {
  const codePoints = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < codePoints.length; i += chunkSize - chunkOverlap) {
    chunks.push(codePoints.slice(i, i + chunkSize).join(''));
  }
  return chunks;
}

describe('createCharacterTextSplitter', () => {
  it('matches the Python reference on examples computed by hand (and checked with CPython)', () => {
    expect(createCharacterTextSplitter({ chunkSize: 4, chunkOverlap: 1 }).splitText('abcdefghij')).toEqual([
      'abcd',
      'defg',
      'ghij',
      'j',
    ]);
    expect(createCharacterTextSplitter({ chunkSize: 5, chunkOverlap: 2 }).splitText('Hello, world')).toEqual([
      'Hello',
      'lo, w',
      ' worl',
      'rld',
    ]);
    expect(createCharacterTextSplitter({ chunkSize: 3, chunkOverlap: 2 }).splitText('abcde')).toEqual([
      'abc',
      'bcd',
      'cde',
      'de',
      'e',
    ]);
    expect(createCharacterTextSplitter({ chunkSize: 4, chunkOverlap: 1 }).splitText('ab\n\ncd  ef')).toEqual([
      'ab\n\n',
      '\ncd ',
      '  ef',
      'f',
    ]);
  });

  it('gives zero chunks for the empty string', () => {
    const splitter = createCharacterTextSplitter();
    expect(splitter.splitText('')).toEqual([]);
    expect(splitter.splitTexts(['', ''])).toEqual([]);
    expect(splitter.split(textDocument(''))).toEqual([]);
  });

  it('counts an emoji as one character but reports UTF-16 offsets', () => {
    const splitter = createCharacterTextSplitter({ chunkSize: 2, chunkOverlap: 0 });
    expect(splitter.splitText('a😀b😀c')).toEqual(['a😀', 'b😀', 'c']);
    const chunks = splitter.split(textDocument('a😀b😀c'));
    expect(chunks.map(({ start, end }) => [start, end])).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ]);
    expect(createCharacterTextSplitter({ chunkSize: 3, chunkOverlap: 1 }).splitText('😀😁😂🤣😃')).toEqual([
      '😀😁😂',
      '😂🤣😃',
      '😃',
    ]);
  });

  it('uses 1000/200 by default, keeping the reference tail windows', () => {
    const splitter = createCharacterTextSplitter();
    expect(splitter.chunkSize).toBe(1000);
    expect(splitter.chunkOverlap).toBe(200);
    expect(splitter.splitText('x'.repeat(1000)).map((chunk) => chunk.length)).toEqual([1000, 200]);
    expect(splitter.splitText('y'.repeat(2500)).map((chunk) => chunk.length)).toEqual([1000, 1000, 900, 100]);
  });

  it('splitTexts concatenates the chunks of every text, as split_texts does', () => {
    const splitter = createCharacterTextSplitter({ chunkSize: 3, chunkOverlap: 1 });
    expect(splitter.splitTexts(['abcd', '', 'xy'])).toEqual(['abc', 'cd', 'xy']);
  });

  it('makes chunks with ids, source, offsets and the page where each starts', () => {
    const document: LoadedDocument = {
      source: 'paper.pdf',
      kind: 'pdf',
      text: 'aaaa\n\nbbbb',
      pages: [
        { page: 1, start: 0, end: 4 },
        { page: 2, start: 6, end: 10 },
      ],
    };
    const chunks = createCharacterTextSplitter({ chunkSize: 4, chunkOverlap: 0 }).split(document, 'doc-7');
    expect(chunks).toEqual([
      { id: 'doc-7#0', documentId: 'doc-7', source: 'paper.pdf', page: 1, start: 0, end: 4, text: 'aaaa' },
      { id: 'doc-7#1', documentId: 'doc-7', source: 'paper.pdf', page: 1, start: 4, end: 8, text: '\n\nbb' },
      { id: 'doc-7#2', documentId: 'doc-7', source: 'paper.pdf', page: 2, start: 8, end: 10, text: 'bb' },
    ]);
    const [first] = createCharacterTextSplitter().split(textDocument('hello'));
    expect(first?.id).toBe('notes.txt#0');
    expect(first?.page).toBeNull();
  });

  it('refuses unusable sizes with invalid_request', () => {
    for (const options of [
      { chunkSize: 100, chunkOverlap: 100 },
      { chunkSize: 100, chunkOverlap: 150 },
      { chunkSize: 0, chunkOverlap: 0 },
      { chunkSize: -5 },
      { chunkSize: 10.5, chunkOverlap: 0 },
      { chunkSize: 10, chunkOverlap: -1 },
      { chunkSize: Number.NaN },
    ]) {
      expect(() => createCharacterTextSplitter(options)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    }
    expect(() => createCharacterTextSplitter({ chunkSize: 10, chunkOverlap: 10 })).toThrow(DocchatError);
  });

  it('equals the reference for any text and sizes, with offsets that slice back to the text', () => {
    fc.assert(
      fc.property(
        // Any code point, lone surrogates included: two can meet and form a pair, which counts as one character.
        // (Code points are mapped by hand: fast-check's 'binary' unit builds a slow reverse table.)
        fc.string({
          unit: fc.oneof(
            fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint)),
            fc.constantFrom('a', ' ', '😀', '\uD83D', '\uDE00'),
          ),
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 12 }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1))),
        (text, [chunkSize, chunkOverlap]) => {
          const splitter = createCharacterTextSplitter({ chunkSize, chunkOverlap });
          const expected = referenceSplit(text, chunkSize, chunkOverlap);
          const chunks = splitter.split(textDocument(text));
          // One assertion per run keeps the property fast.
          expect({
            splitText: splitter.splitText(text),
            texts: chunks.map((chunk) => chunk.text),
            slices: chunks.map((chunk) => text.slice(chunk.start, chunk.end)),
          }).toEqual({ splitText: expected, texts: expected, slices: expected });
        },
      ),
      { numRuns: 200 },
    );
  });
});
