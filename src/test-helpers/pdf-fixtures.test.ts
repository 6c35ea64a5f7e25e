import { crc32, inflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import {
  buildCorruptPdf,
  buildEncryptedPdf,
  buildPng,
  buildScannedPdf,
  buildTextPdf,
  truncatePdf,
} from './pdf-fixtures.ts';

/** Opens with pdf.js directly (not our loader) and returns each page's text items, or pdf.js's error. */
async function readWithPdfJs(
  data: Uint8Array,
  password?: string,
): Promise<string[][] | { name: string; code: unknown }> {
  const task = getDocument({ data: new Uint8Array(data), password, verbosity: 0 });
  try {
    const document = await task.promise;
    const pages: string[][] = [];
    for (let number = 1; number <= document.numPages; number++) {
      const content = await (await document.getPage(number)).getTextContent();
      pages.push(content.items.flatMap((item) => ('str' in item && item.str !== '' ? [item.str] : [])));
    }
    return pages;
  } catch (error) {
    return { name: error instanceof Error ? error.name : '', code: (error as { code?: unknown }).code };
  } finally {
    await task.destroy();
  }
}

describe('pdf fixtures', () => {
  it('builds a valid PNG', () => {
    const png = Buffer.from(buildPng(4, 3));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([4, 3]);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)));
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    expect(inflateSync(png.subarray(41, 41 + idatLength))).toHaveLength((4 + 1) * 3);
  });

  it('builds text PDFs with the given lines per page', async () => {
    const pdf = await buildTextPdf(['first line\nsecond line', 'page two']);
    expect(await readWithPdfJs(pdf)).toEqual([['first line', 'second line'], ['page two']]);
  });

  it('builds scanned PDFs with images and no text', async () => {
    const pdf = await buildScannedPdf({ pages: 2 });
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2);
    expect(await readWithPdfJs(pdf)).toEqual([[], []]);
    expect(await readWithPdfJs(await buildScannedPdf({ pages: 2, pageNumbers: true }))).toEqual([
      ['1'],
      ['2'],
    ]);
  });

  it('encrypts so that nothing is readable without the password', async () => {
    for (const cipher of ['rc4', 'aes'] as const) {
      const plain = await buildTextPdf(['Classified'], { title: 'TopSecretTitle' });
      const encrypted = await buildEncryptedPdf(['Classified'], {
        userPassword: 'pw',
        cipher,
        title: 'TopSecretTitle',
      });
      // pdf-lib writes the title as a UTF-16BE hex string.
      const titleHex = Buffer.from('TopSecretTitle', 'utf16le').swap16().toString('hex').toUpperCase();
      const contains = (pdf: Uint8Array) =>
        Buffer.from(pdf).toString('latin1').toUpperCase().includes(titleHex);
      expect(contains(plain)).toBe(true);
      expect(contains(encrypted)).toBe(false);
      await expect(PDFDocument.load(encrypted)).rejects.toThrow(/encrypted/i);
      expect(await readWithPdfJs(encrypted)).toEqual({ name: 'PasswordException', code: 1 });
      expect(await readWithPdfJs(encrypted, 'wrong')).toEqual({ name: 'PasswordException', code: 2 });
      expect(await readWithPdfJs(encrypted, 'pw')).toEqual([['Classified']]);
    }
  });

  it('builds broken PDFs', async () => {
    const pdf = await buildTextPdf(['x']);
    expect(truncatePdf(pdf, 0.5)).toHaveLength(Math.floor(pdf.length / 2));
    expect(await readWithPdfJs(buildCorruptPdf())).toMatchObject({ name: 'InvalidPDFException' });
  });
});
