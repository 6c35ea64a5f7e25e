import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Tesseract reads best at about 300 dots per inch; PDF units are 1/72 inch. */
const ocrDotsPerInch = 300;
/** Caps the rendered image of an oversized page (a poster, a drawing) so its memory stays bounded. */
const maxRenderedSide = 5_000;

/** A page rendered for OCR: the PNG, and how many pixels one unit of the page (one PDF point) became. */
export interface RenderedPage {
  png: Uint8Array;
  /** Pixels per unit of pdf.js's `getViewport({ scale: 1 })`. */
  scale: number;
}

/**
 * Renders one pdf.js page to a PNG at 300 dpi (less for huge pages), white background, with the canvas of
 * `@napi-rs/canvas`, which is imported on first use so that reading text-only PDFs never loads it.
 */
export async function renderPdfPage(page: PDFPageProxy): Promise<RenderedPage> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const natural = page.getViewport({ scale: 1 });
  const scale = Math.min(ocrDotsPerInch / 72, maxRenderedSide / Math.max(natural.width, natural.height, 1));
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(
    Math.max(1, Math.ceil(viewport.width)),
    Math.max(1, Math.ceil(viewport.height)),
  );
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  // pdf.js draws onto the canvas it is given; its types expect a DOM canvas, which @napi-rs/canvas imitates.
  await page.render({ canvas: canvas as unknown as HTMLCanvasElement, viewport }).promise;
  return { png: canvas.toBuffer('image/png'), scale };
}
