import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import {
  acceptedFileTypes,
  detectFileKind,
  findPdfHeader,
  looksLikePdf,
  sniffFileKind,
} from './file-types.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const docxMime = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('detectFileKind', () => {
  it('reads text extensions in any case', () => {
    for (const name of ['a.txt', 'REPORT.TXT', 'data.csv', 'data.TSV', 'server.log']) {
      expect(detectFileKind(name)).toBe('text');
    }
  });

  it('reads Markdown, DOCX, HTML and images by extension or MIME type', () => {
    expect(detectFileKind('notes.Md')).toBe('markdown');
    expect(detectFileKind('x.markdown')).toBe('markdown');
    expect(detectFileKind('upload', 'text/markdown')).toBe('markdown');
    expect(detectFileKind('Letter.DOCX')).toBe('docx');
    expect(detectFileKind('upload', `${docxMime}; charset=binary`)).toBe('docx');
    expect(detectFileKind('page.html')).toBe('html');
    expect(detectFileKind('page.htm')).toBe('html');
    expect(detectFileKind('upload', 'text/html; charset=utf-8')).toBe('html');
    expect(detectFileKind('scan.PNG')).toBe('image');
    expect(detectFileKind('photo.jpeg')).toBe('image');
    expect(detectFileKind('upload', 'image/jpeg')).toBe('image');
  });

  it('reads PDFs by extension or MIME type', () => {
    expect(detectFileKind('paper.pdf')).toBe('pdf');
    expect(detectFileKind('PAPER.PDF')).toBe('pdf');
    expect(detectFileKind('download', 'application/pdf')).toBe('pdf');
  });

  it('accepts any text/* MIME type when the extension says nothing', () => {
    expect(detectFileKind('README', 'text/plain')).toBe('text');
    expect(detectFileKind('page.html.x', 'Text/X-Whatever; charset=utf-8')).toBe('text');
    expect(detectFileKind('data', 'application/json')).toBe('text');
  });

  it('lets the extension win over a generic MIME type', () => {
    expect(detectFileKind('notes.txt', 'application/octet-stream')).toBe('text');
    expect(detectFileKind('paper.pdf', 'application/octet-stream')).toBe('pdf');
  });

  it('only looks at the extension of the last path segment', () => {
    expect(() => detectFileKind('folder.txt/README')).toThrow(DocchatError);
    expect(detectFileKind('C:\\docs.old\\notes.md')).toBe('markdown');
  });

  it('refuses other types with a message listing what is accepted', () => {
    for (const [name, mime] of [
      ['report.doc', undefined],
      ['README', undefined],
      ['x.gif', 'image/gif'],
      ['.txt', undefined],
    ] as const) {
      let error: unknown;
      try {
        detectFileKind(name, mime);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DocchatError);
      const docchatError = error as DocchatError;
      expect(docchatError.code).toBe('unsupported_file_type');
      expect(docchatError.message).toContain('.pdf');
      expect(docchatError.message).toContain('.txt');
      expect(docchatError.message).toContain(name);
    }
  });

  it('describes the accepted types for file pickers', () => {
    expect(acceptedFileTypes.extensions).toEqual(expect.arrayContaining(['.txt', '.md', '.csv', '.pdf']));
    expect(acceptedFileTypes.mimeTypes).toEqual(expect.arrayContaining(['text/*', 'application/pdf']));
    for (const extension of acceptedFileTypes.extensions) {
      expect(extension).toMatch(/^\.[a-z]+$/);
      expect(['text', 'markdown', 'pdf', 'docx', 'html', 'image']).toContain(
        detectFileKind(`file${extension}`),
      );
    }
  });
});

describe('PDF header sniffing', () => {
  it('recognizes a PDF by its first bytes', () => {
    expect(looksLikePdf(bytes('%PDF-1.7\n'))).toBe(true);
    expect(looksLikePdf(bytes('%PDF'))).toBe(false);
    expect(looksLikePdf(bytes('hello %PDF-1.7'))).toBe(false);
    expect(looksLikePdf(new Uint8Array())).toBe(false);
  });

  it('finds a header behind a junk prefix, within the first 1024 bytes only', () => {
    expect(findPdfHeader(bytes('%PDF-1.4'))).toBe(0);
    expect(findPdfHeader(bytes(`${'x'.repeat(100)}%PDF-1.4`))).toBe(100);
    expect(findPdfHeader(bytes(`${'x'.repeat(1020)}%PDF-1.4`))).toBe(-1);
    expect(findPdfHeader(bytes('just text'))).toBe(-1);
  });
});

describe('sniffFileKind', () => {
  it('knows PDFs, PNG, JPEG and Word documents by their bytes', () => {
    expect(sniffFileKind(bytes('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffFileKind(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image');
    expect(sniffFileKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image');
    expect(sniffFileKind(bytes('PK\u0003\u0004....word/document.xml....'))).toBe('docx');
  });

  it('proves nothing for text, HTML, other ZIPs or partial signatures', () => {
    for (const data of [
      bytes('<!doctype html><p>hi'),
      bytes('plain'),
      bytes('PK\u0003\u0004....xl/workbook.xml'),
      new Uint8Array([0x89, 0x50, 0x4e]),
      new Uint8Array(),
    ]) {
      expect(sniffFileKind(data)).toBeNull();
    }
  });
});
