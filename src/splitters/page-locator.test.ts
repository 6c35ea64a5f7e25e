import { describe, expect, it } from 'vitest';
import type { LoadedDocument, PageSpan } from '../core/types.ts';
import { joinPages } from '../loaders/join-pages.ts';
import { createCharacterTextSplitter } from './character-text-splitter.ts';
import { createPageLocator } from './page-locator.ts';
import { createRecursiveTextSplitter } from './recursive-text-splitter.ts';

const pdf = (text: string, pages: PageSpan[]): LoadedDocument => ({
  source: 'a.pdf',
  kind: 'pdf',
  text,
  pages,
});

describe('createPageLocator', () => {
  it('gives null for documents without pages', () => {
    expect(createPageLocator({ source: 'a.txt', kind: 'text', text: 'abc', pages: [] })(1)).toBeNull();
  });

  it('gives the page containing an index, else the last page that started before it', () => {
    const pageAt = createPageLocator(
      pdf('aaa\n\n\n\nbbb', [
        { page: 1, start: 0, end: 3 },
        { page: 2, start: 5, end: 5 },
        { page: 3, start: 7, end: 10 },
      ]),
    );
    expect([0, 2, 3, 4, 5, 6, 7, 9].map(pageAt)).toEqual([1, 1, 1, 1, 2, 2, 3, 3]);
  });

  it('gives the first page before the first span', () => {
    expect(createPageLocator(pdf('  abc', [{ page: 4, start: 2, end: 5 }]))(0)).toBe(4);
  });

  it('refuses spans out of order, overlapping, outside the text or without a page number', () => {
    for (const pages of [
      [
        { page: 1, start: 3, end: 5 },
        { page: 2, start: 0, end: 2 },
      ],
      [
        { page: 1, start: 0, end: 3 },
        { page: 2, start: 2, end: 5 },
      ],
      [{ page: 1, start: 0, end: 9 }],
      [{ page: 0, start: 0, end: 2 }],
      [{ page: 1, start: 3, end: 1 }],
    ]) {
      expect(() => createPageLocator(pdf('abcde', pages))).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    }
  });
});

describe('chunks of pages read by OCR', () => {
  it('flags exactly the chunks that start on an OCR page, with every splitter', () => {
    const pageTexts = [
      'Typed text of the first page. '.repeat(8),
      'Scanned words read by OCR. '.repeat(8),
      'Typed again. '.repeat(8),
    ];
    const { text, pages } = joinPages(pageTexts);
    const ocrPage = pages[1];
    if (ocrPage) ocrPage.ocr = true;
    const document: LoadedDocument = { source: 'mixed.pdf', kind: 'pdf', text, pages };
    for (const splitter of [
      createRecursiveTextSplitter({ chunkSize: 60, chunkOverlap: 10 }),
      createCharacterTextSplitter({ chunkSize: 60, chunkOverlap: 10 }),
    ]) {
      const chunks = splitter.split(document);
      expect(chunks.some((chunk) => chunk.ocr)).toBe(true);
      for (const chunk of chunks) expect(chunk.ocr === true).toBe(chunk.page === 2);
    }
  });
});
