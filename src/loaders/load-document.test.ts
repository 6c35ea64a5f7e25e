import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { buildTextPdf } from '../test-helpers/pdf-fixtures.ts';
import { loadDocument } from './load-document.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('loadDocument', () => {
  it('loads text files by extension or MIME type', async () => {
    const byName = await loadDocument({ name: 'NOTES.MD', data: utf8('# Hi\r\nthere') });
    expect(byName).toEqual({
      source: 'NOTES.MD',
      kind: 'text',
      format: 'markdown',
      text: '# Hi\nthere',
      pages: [],
      headings: [{ level: 1, text: 'Hi', start: 2, end: 4 }],
    });
    const byMime = await loadDocument({ name: 'upload', data: utf8('hello'), mimeType: 'text/plain' });
    expect(byMime.kind).toBe('text');
  });

  it('loads PDFs', async () => {
    const document = await loadDocument({
      name: 'paper.pdf',
      data: await buildTextPdf(['page one', 'page two']),
    });
    expect(document.kind).toBe('pdf');
    expect(document.pages).toHaveLength(2);
  });

  it('treats bytes starting with %PDF- as a PDF whatever the name says', async () => {
    const data = await buildTextPdf(['really a pdf']);
    for (const name of ['paper.txt', 'paper.docx', 'paper']) {
      const document = await loadDocument({ name, data, mimeType: 'text/plain' });
      expect(document.kind).toBe('pdf');
      expect(document.text).toBe('really a pdf');
    }
  });

  it('refuses a .pdf that is not a PDF', async () => {
    expect(
      (await docchatFailure(loadDocument({ name: 'fake.pdf', data: utf8('just some text') }))).code,
    ).toBe('pdf_corrupt');
  });

  it('refuses unsupported types, empty files and binary text', async () => {
    expect((await docchatFailure(loadDocument({ name: 'a.pptx', data: utf8('PK') }))).code).toBe(
      'unsupported_file_type',
    );
    expect((await docchatFailure(loadDocument({ name: 'a.txt', data: new Uint8Array() }))).code).toBe(
      'empty_file',
    );
    expect((await docchatFailure(loadDocument({ name: 'a.pdf', data: new Uint8Array() }))).code).toBe(
      'empty_file',
    );
    expect(
      (
        await docchatFailure(
          loadDocument({
            name: 'a.txt',
            data: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
          }),
        )
      ).code,
    ).toBe('not_text');
  });

  it('loads OCR, DOCX and HTML libraries only when a file needs them', () => {
    // CommonJS packages imported from ES modules still land in require's cache, so it shows what was loaded.
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache)
        .filter((path) => /tesseract|mammoth|readability/.test(path)).length;
      const { loadDocument } = await import(${JSON.stringify(new URL('./load-document.ts', import.meta.url).href)});
      const before = loaded();
      await loadDocument({ name: 'a.txt', data: new TextEncoder().encode('hi') });
      const afterText = loaded();
      await loadDocument({ name: 'a.html', data: new TextEncoder().encode('<p>hi</p>') });
      console.log(JSON.stringify([before, afterText, loaded()]));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const [before, afterText, afterHtml] = JSON.parse(child.stdout.trim()) as number[];
    expect([before, afterText]).toEqual([0, 0]);
    expect(afterHtml).toBeGreaterThan(0);
  });

  it('passes options through to the loader', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      (await docchatFailure(loadDocument({ name: 'a.txt', data: utf8('x') }, { signal: controller.signal })))
        .code,
    ).toBe('aborted');
  });
});

describe('loadDocument limits', () => {
  it('refuses a document whose text goes past maxCharacters, whatever its loader', async () => {
    const input = { name: 'long.txt', data: new TextEncoder().encode('x'.repeat(101)) };
    const error = await docchatFailure(loadDocument(input, { limits: { maxCharacters: 100 } }));
    expect(error.code).toBe('document_too_large');
    expect(error.details).toMatchObject({
      limit: 'characters',
      max: 100,
      setting: 'DOCCHAT_MAX_DOCUMENT_CHARS',
    });
    expect((await loadDocument(input, { limits: { maxCharacters: 101 } })).text).toHaveLength(101);
  });
});
