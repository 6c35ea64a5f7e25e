import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import {
  buildImagePdf,
  buildProsePdf,
  fixtureProse,
  type OcrFixtureParagraph,
  rasterizePdf,
  rotatePng,
  wordAccuracy,
} from '../test-helpers/ocr-fixtures.ts';
import { createLoaderPool } from './create-loader-pool.ts';
import { createDocumentLoader, loadDocument } from './load-document.ts';
import type { ProgressDetail } from './loader.ts';
import { createOcrEngine } from './ocr-engine.ts';
import { createPdfLoader } from './pdf-loader.ts';

const [a = '', b = '', c = '', d = '', e = '', f = ''] = fixtureProse;
/** A small page (4 × 2.5 in) keeps each OCR run short. */
const smallPage: [number, number] = [288, 180];
const smallParagraph: OcrFixtureParagraph = {
  text: a,
  font: 'Helvetica',
  size: 12,
  x: 24,
  top: 36,
  width: 240,
};

// One loader for the suite: its Tesseract worker is started once and reused, as in a pool's worker.
const loader = createDocumentLoader();
let small: { png: Uint8Array; words: string[] };

beforeAll(async () => {
  const { pdf, words } = await buildProsePdf([[smallParagraph]], smallPage);
  const [png] = await rasterizePdf(pdf);
  if (!png) throw new Error('no page rendered');
  small = { png, words: words[0] ?? [] };
});
afterAll(() => loader.close());

// OCR takes seconds per page, and much longer while other suites share the two cores.
describe('OCR accuracy on clean renders', { timeout: 300_000 }, () => {
  const pages: { name: string; paragraphs: OcrFixtureParagraph[]; rotate?: number }[] = [
    {
      name: 'three fonts and sizes',
      paragraphs: [
        { text: `${a} ${b}`, font: 'Helvetica', size: 12, x: 72, top: 90, width: 468 },
        { text: `${c} ${d}`, font: 'TimesRoman', size: 10, x: 72, top: 200, width: 468 },
        { text: e, font: 'Courier', size: 16, x: 72, top: 300, width: 468 },
        { text: f, font: 'HelveticaBold', size: 20, x: 72, top: 420, width: 468 },
      ],
    },
    {
      name: 'a two-column page',
      paragraphs: [
        { text: `${a} ${c} ${e}`, font: 'TimesRoman', size: 11, x: 60, top: 90, width: 230 },
        { text: `${b} ${d} ${f}`, font: 'Helvetica', size: 11, x: 322, top: 90, width: 230 },
      ],
    },
    {
      name: 'a page turned by 1.5°',
      paragraphs: [{ text: `${b} ${d} ${f}`, font: 'TimesRoman', size: 12, x: 72, top: 90, width: 468 }],
      rotate: 1.5,
    },
  ];

  it.each(pages)('reads $name with at least 95% word accuracy', async ({ paragraphs, rotate }) => {
    const { pdf, words } = await buildProsePdf([paragraphs]);
    const [render] = await rasterizePdf(pdf);
    if (!render) throw new Error('no page rendered');
    const png = rotate === undefined ? render : await rotatePng(render, rotate);
    const document = await loader.load({ name: 'page.png', data: png });
    const accuracy = wordAccuracy(words[0] ?? [], document.text);
    console.info(`OCR word accuracy: ${(accuracy * 100).toFixed(1)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe('OCR of images and scanned PDFs', { timeout: 180_000 }, () => {
  it('reads a PNG as one OCR page with a box per word, in fractions of the image', async () => {
    const progress: [number, number, ProgressDetail | undefined][] = [];
    const document = await loader.load(
      { name: 'note.png', data: small.png },
      { onProgress: (done, total, detail) => progress.push([done, total, detail]) },
    );
    expect(document).toMatchObject({ kind: 'text', format: 'image' });
    expect(document.pages).toEqual([{ page: 1, start: 0, end: document.text.length, ocr: true }]);
    expect(wordAccuracy(small.words, document.text)).toBeGreaterThanOrEqual(0.95);
    expect(progress).toEqual([[1, 1, { ocr: true }]]);
    const boxes = document.textBoxes ?? [];
    expect(boxes.length).toBeGreaterThanOrEqual(small.words.length - 1);
    for (const box of boxes) {
      expect(document.text.slice(box.start, box.end)).toMatch(/^\S+$/u);
      expect(box.page).toBe(1);
    }
    // The first word starts at the paragraph's left edge and first baseline, in fractions of the page.
    const first = boxes[0];
    const [pageWidth, pageHeight] = smallPage;
    expect(document.text.slice(first?.start, first?.end)).toBe('The');
    expect((first?.x ?? 0) * pageWidth).toBeCloseTo(smallParagraph.x, -1);
    expect(((first?.y ?? 0) + (first?.height ?? 0)) * pageHeight).toBeCloseTo(smallParagraph.top, -1);
    for (const box of boxes) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1);
      expect(box.y + box.height).toBeLessThanOrEqual(1);
    }
  });

  it('reads only the pages without text of a mixed PDF, with boxes on the page', async () => {
    const typed = 'This page has a real text layer and is not read by OCR.';
    const pdf = await buildImagePdf([typed, small.png], smallPage);
    const progress: [number, number, ProgressDetail | undefined][] = [];
    const document = await loader.load(
      { name: 'mixed.pdf', data: pdf },
      { onProgress: (done, total, detail) => progress.push([done, total, detail]) },
    );
    const [first, second] = document.pages;
    expect(first?.ocr).toBeUndefined();
    expect(document.text.slice(first?.start, first?.end).replace(/\s+/gu, ' ')).toBe(typed);
    expect(second?.ocr).toBe(true);
    expect(wordAccuracy(small.words, document.text.slice(second?.start, second?.end))).toBeGreaterThanOrEqual(
      0.95,
    );
    expect(progress).toEqual([
      [1, 2, undefined],
      [2, 2, undefined],
      [2, 2, { ocr: true }],
    ]);
    // Boxes are fractions of the displayed page, for the text layer's runs and OCR'd words alike.
    const [width, height] = smallPage;
    const boxes = (document.textBoxes ?? []).filter((box) => box.page === 2);
    expect(boxes.length).toBeGreaterThan(0);
    expect(boxes.every((box) => box.start >= (second?.start ?? 0))).toBe(true);
    expect((boxes[0]?.x ?? 0) * width).toBeCloseTo(smallParagraph.x, -1);
    expect(((boxes[0]?.y ?? 0) + (boxes[0]?.height ?? 0)) * height).toBeCloseTo(smallParagraph.top, -1);
  });

  it('leaves blank pages alone: no OCR, no Tesseract', async () => {
    const { PDFDocument, StandardFonts } = await import('pdf-lib');
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage(smallPage).drawText('Text before a blank page.', { x: 24, y: 120, size: 12, font });
    pdf.addPage(smallPage);
    const progress: (ProgressDetail | undefined)[] = [];
    const engine = createOcrEngine({ langPath: join(tmpdir(), 'no-model-needed') });
    const document = await createPdfLoader({ ocrEngine: engine }).load(
      { name: 'blank.pdf', data: await pdf.save() },
      { onProgress: (_done, _total, detail) => progress.push(detail) },
    );
    expect(document.pages.map((span) => span.ocr)).toEqual([undefined, undefined]);
    expect(progress).not.toContainEqual({ ocr: true });
    expect(document.textBoxes?.filter((box) => box.page === 2)).toEqual([]);
  });

  it('refuses more pages than the OCR limit, and stops at the OCR time limit', async () => {
    const pdf = await buildImagePdf([small.png, small.png], smallPage);
    const tooMany = await docchatFailure(
      loader.load(
        { name: 'scan.pdf', data: pdf },
        { ocr: { enabled: true, maxPages: 1, timeoutMs: 60_000 } },
      ),
    );
    expect(tooMany).toMatchObject({ code: 'ocr_too_many_pages', details: { pages: 2, limit: 1 } });
    expect(tooMany.message).toContain('DOCCHAT_OCR_MAX_PAGES');
    const late = await docchatFailure(
      loader.load({ name: 'scan.pdf', data: pdf }, { ocr: { enabled: true, maxPages: 10, timeoutMs: 1 } }),
    );
    expect(late.code).toBe('ocr_timeout');
    expect(late.message).toContain('DOCCHAT_OCR_TIMEOUT_MS');
    // The engine was reset by the timeout and starts again.
    expect((await loader.load({ name: 'again.png', data: small.png })).text).toContain('committee');
  });

  it('refuses images when OCR is off, and images without text', async () => {
    const off = { enabled: false, maxPages: 10, timeoutMs: 60_000 };
    expect((await docchatFailure(loader.load({ name: 'a.png', data: small.png }, { ocr: off }))).code).toBe(
      'unsupported_file_type',
    );
    const { createCanvas } = await import('@napi-rs/canvas');
    const blank = createCanvas(400, 300);
    const context = blank.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, 400, 300);
    expect(
      (await docchatFailure(loader.load({ name: 'blank.png', data: blank.toBuffer('image/png') }))).code,
    ).toBe('image_no_text');
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    expect((await docchatFailure(loader.load({ name: 'photo.jpg', data: jpeg }))).code).toBe('corrupt_file');
  });

  it('stops with aborted when the signal fires during OCR', async () => {
    const controller = new AbortController();
    const pending = loader.load(
      { name: 'note.png', data: small.png },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect((await docchatFailure(pending)).code).toBe('aborted');
  });

  it('never downloads a model: without one on disk the engine fails instead', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'docchat-no-model-'));
    const engine = createOcrEngine({ langPath: empty });
    try {
      const error = await docchatFailure(engine.recognize(small.png));
      expect(error.code).toBe('internal');
      expect(error.message).toMatch(/English model is missing/);
    } finally {
      await engine.close();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('gives the same OCR results in the loader pool, with OCR progress', async () => {
    const pool = createLoaderPool({ size: 1 });
    try {
      const input = { name: 'scan.pdf', data: await buildImagePdf([small.png], smallPage) };
      const progress: (ProgressDetail | undefined)[] = [];
      const pooled = await pool.load(input, { onProgress: (_done, _total, detail) => progress.push(detail) });
      expect(pooled).toEqual(await loadDocument(input));
      expect(pooled.pages[0]?.ocr).toBe(true);
      expect(progress).toContainEqual({ ocr: true });
    } finally {
      await pool.close();
    }
  });
});
