import { createDocumentLoader } from '../src/loaders/load-document.ts';
import {
  buildImagePdf,
  buildProsePdf,
  fixtureProse,
  type OcrFixtureParagraph,
  rasterizePdf,
  wordAccuracy,
} from '../src/test-helpers/ocr-fixtures.ts';
import { median, round3, time } from './measure.ts';

/** One page's OCR figures: milliseconds per page (median), from a scanned PDF through the PDF loader. */
export interface OcrResult {
  page: string;
  /** Rendered size in pixels, width × height (300 dpi). */
  pixels: string;
  words: number;
  /** Render + OCR of one page, median over the rounds (the Tesseract worker already started). */
  msPerPage: number;
  /** Starting Tesseract's worker and loading its English model, once per loader. */
  startMs: number;
  /** 1 − word error rate against the text the page was made from. */
  accuracy: number;
}

/** Which pages and how many rounds. */
export interface OcrOptions {
  pages: readonly { name: string; size: [number, number]; paragraphs: OcrFixtureParagraph[] }[];
  rounds: number;
}

const [a = '', b = '', c = '', d = '', e = '', f = ''] = fixtureProse;
const letter: [number, number] = [612, 792];

/** The full run: a letter-size page of mixed fonts and a two-column page. */
export const ocrDefaults: OcrOptions = {
  pages: [
    {
      name: 'letter, 4 fonts',
      size: letter,
      paragraphs: [
        { text: `${a} ${b} ${c}`, font: 'Helvetica', size: 12, x: 72, top: 90, width: 468 },
        { text: `${d} ${e} ${f} ${a}`, font: 'TimesRoman', size: 10, x: 72, top: 220, width: 468 },
        { text: `${b} ${c}`, font: 'Courier', size: 11, x: 72, top: 360, width: 468 },
        { text: `${d} ${e}`, font: 'HelveticaBold', size: 14, x: 72, top: 500, width: 468 },
      ],
    },
    {
      name: 'letter, 2 columns',
      size: letter,
      paragraphs: [
        { text: `${a} ${c} ${e} ${b} ${d}`, font: 'TimesRoman', size: 10, x: 60, top: 90, width: 230 },
        { text: `${b} ${d} ${f} ${a} ${c}`, font: 'TimesRoman', size: 10, x: 322, top: 90, width: 230 },
      ],
    },
  ],
  rounds: 3,
};

/** A CI-sized run: one small page, once. */
export const ocrQuick: OcrOptions = {
  pages: [
    {
      name: '4 × 2.5 in',
      size: [288, 180],
      paragraphs: [{ text: a, font: 'Helvetica', size: 12, x: 24, top: 36, width: 240 }],
    },
  ],
  rounds: 1,
};

/** Times OCR of scanned pages (image-only PDFs made from known text), with the accuracy reached. */
export async function benchOcr(options: OcrOptions): Promise<OcrResult[]> {
  const results: OcrResult[] = [];
  for (const page of options.pages) {
    const { pdf, words } = await buildProsePdf([page.paragraphs], page.size);
    const [png] = await rasterizePdf(pdf);
    if (!png) throw new Error(`no render of ${page.name}`);
    const scan = await buildImagePdf([png], page.size);
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const loader = createDocumentLoader();
    try {
      let text = '';
      const startMs = await time(async () => {
        text = (await loader.load({ name: 'scan.pdf', data: scan })).text;
      });
      const samples: number[] = [];
      for (let round = 0; round < options.rounds; round++) {
        samples.push(await time(() => loader.load({ name: 'scan.pdf', data: scan })));
      }
      const msPerPage = median(samples);
      results.push({
        page: page.name,
        pixels: `${view.getUint32(16)} × ${view.getUint32(20)}`,
        words: words[0]?.length ?? 0,
        msPerPage: round3(msPerPage),
        startMs: round3(Math.max(0, startMs - msPerPage)),
        accuracy: round3(wordAccuracy(words[0] ?? [], text)),
      });
    } finally {
      await loader.close();
    }
  }
  return results;
}
