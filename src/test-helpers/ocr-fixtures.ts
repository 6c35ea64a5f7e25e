import { PDFDocument, StandardFonts } from 'pdf-lib';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { renderPdfPage } from '../loaders/render-pdf-page.ts';

/** Builders of page images with known text, for OCR tests and the OCR bench. */

/** One paragraph of text set in a column: wrapped to `width`, its first baseline `top` points below the top. */
export interface OcrFixtureParagraph {
  text: string;
  font: 'Helvetica' | 'TimesRoman' | 'Courier' | 'HelveticaBold';
  size: number;
  x: number;
  top: number;
  width: number;
}

const pageSize: [number, number] = [612, 792];

/** English prose for fixtures: real words, so the test measures reading rather than guessing. */
export const fixtureProse = [
  'The committee met on a cold morning in early spring to review the budget for the coming year.',
  'Every member agreed that the library needed new shelves, better lighting and a quiet room for study.',
  'After a long discussion, the proposal to extend the opening hours on weekends was accepted by a clear majority.',
  'The river rises quickly after heavy rain, so the bridge is closed to traffic whenever the water reaches the mark.',
  'Farmers in the valley grow wheat, barley and potatoes, and many of them keep a few cows for milk and cheese.',
  'A careful reader will notice that the second chapter repeats an argument made at the beginning of the book.',
];

/**
 * Builds a PDF of text pages in the standard fonts (a real text layer, to be rasterized) and returns the words
 * each page holds in reading order (paragraphs in the order given, so columns one after the other).
 */
export async function buildProsePdf(
  pages: readonly (readonly OcrFixtureParagraph[])[],
  size: [number, number] = pageSize,
): Promise<{ pdf: Uint8Array; words: string[][] }> {
  const document = await PDFDocument.create();
  const fonts = {
    Helvetica: await document.embedFont(StandardFonts.Helvetica),
    HelveticaBold: await document.embedFont(StandardFonts.HelveticaBold),
    TimesRoman: await document.embedFont(StandardFonts.TimesRoman),
    Courier: await document.embedFont(StandardFonts.Courier),
  };
  const words: string[][] = [];
  for (const paragraphs of pages) {
    const page = document.addPage(size);
    const pageWords: string[] = [];
    for (const paragraph of paragraphs) {
      const font = fonts[paragraph.font];
      const lineHeight = paragraph.size * 1.35;
      let y = size[1] - paragraph.top;
      let line = '';
      const flush = () => {
        if (line !== '') page.drawText(line, { x: paragraph.x, y, size: paragraph.size, font });
        y -= lineHeight;
        line = '';
      };
      for (const word of paragraph.text.split(/\s+/u)) {
        const candidate = line === '' ? word : `${line} ${word}`;
        if (line !== '' && font.widthOfTextAtSize(candidate, paragraph.size) > paragraph.width) flush();
        line = line === '' ? word : `${line} ${word}`;
        pageWords.push(word);
      }
      flush();
    }
    words.push(pageWords);
  }
  return { pdf: await document.save({ useObjectStreams: false }), words };
}

/** Renders every page of a PDF to a PNG as the PDF loader does for OCR (300 dpi, white background). */
export async function rasterizePdf(pdf: Uint8Array): Promise<Uint8Array[]> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  const task = getDocument({
    data: new Uint8Array(pdf),
    verbosity: VerbosityLevel.ERRORS,
    standardFontDataUrl: `${join(root, 'standard_fonts')}/`,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: false,
  });
  const document = await task.promise;
  try {
    const images: Uint8Array[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      images.push((await renderPdfPage(await document.getPage(number))).png);
    }
    return images;
  } finally {
    await task.destroy();
  }
}

/** Turns a PNG by `degrees` (clockwise) about its centre on a white page of the same size, as a skewed scan. */
export async function rotatePng(png: Uint8Array, degrees: number): Promise<Uint8Array> {
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.translate(canvas.width / 2, canvas.height / 2);
  context.rotate((degrees * Math.PI) / 180);
  context.drawImage(image, -image.width / 2, -image.height / 2);
  return canvas.toBuffer('image/png');
}

/**
 * A "scanned" PDF: each page holds only its image (no text layer), filling a page of `size` points; a string
 * instead of an image makes a page of real text (Helvetica, 12 pt, from the top left), for mixed documents.
 */
export async function buildImagePdf(
  pages: readonly (Uint8Array | string)[],
  size: [number, number] = pageSize,
): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const content of pages) {
    const page = document.addPage(size);
    if (typeof content === 'string') {
      page.drawText(content, {
        x: 36,
        y: size[1] - 48,
        size: 12,
        font,
        maxWidth: size[0] - 72,
        lineHeight: 15,
      });
    } else {
      page.drawImage(await document.embedPng(content), { x: 0, y: 0, width: size[0], height: size[1] });
    }
  }
  return document.save({ useObjectStreams: false });
}

function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/gu, "'")
    .split(/\s+/u)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((word) => word !== '');
}

/**
 * Word accuracy of OCR output against the words expected: 1 − (word-level edit distance / expected words),
 * words compared case-insensitively without surrounding punctuation (the usual 1 − WER).
 */
export function wordAccuracy(expected: readonly string[], actual: string): number {
  const want = normalizeWords(expected.join(' '));
  const got = normalizeWords(actual);
  let previous = Array.from({ length: got.length + 1 }, (_, index) => index);
  for (let i = 1; i <= want.length; i++) {
    const current = [i];
    for (let j = 1; j <= got.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (want[i - 1] === got[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return want.length === 0 ? 1 : 1 - (previous[got.length] ?? 0) / want.length;
}
