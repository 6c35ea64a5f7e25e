import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { joinPages } from './join-pages.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import { createOcrEngine, type OcrEngine } from './ocr-engine.ts';
import { ocrTextBoxes, ocrTextLines } from './ocr-layout.ts';
import { ocrPages } from './ocr-pages.ts';
import { defaultOcrSettings } from './ocr-settings.ts';
import { renderPages } from './render-pages.ts';

/** Larger images are scaled down before OCR, as PDF pages are, so memory stays bounded. */
const maxOcrSide = 5_000;

function corrupt(source: string, cause?: unknown): DocchatError {
  return new DocchatError(
    'corrupt_file',
    `${source} could not be read as an image: the file is damaged, incomplete or not a PNG or JPEG. ` +
      'Open it in an image viewer and save it again as PNG or JPEG, then upload the result.',
    { cause, details: { source } },
  );
}

/**
 * Reads PNG and JPEG images by OCR (a photo or scan of a page): one page, flagged `ocr`, whose words' boxes
 * are kept in `textBoxes` as fractions of the image's width and height. The image is decoded by `@napi-rs/canvas` (imported on first
 * use) and flattened onto white. Throws `corrupt_file` for damaged images, `image_no_text` when OCR finds no
 * text, `unsupported_file_type` when OCR is off, and `ocr_timeout` past the OCR time limit.
 */
export function createImageLoader(loaderOptions: { ocrEngine?: OcrEngine } = {}): Loader {
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      const { signal } = options;
      throwIfAborted(signal);
      const source = input.name;
      const settings = options.ocr ?? defaultOcrSettings;
      if (!settings.enabled) {
        throw new DocchatError(
          'unsupported_file_type',
          `${source} is an image, and reading images needs OCR, which is turned off on this server ` +
            '(DOCCHAT_OCR=off). Upload the text as a PDF with a text layer or as a text file.',
          { details: { source } },
        );
      }
      if (input.data.length === 0) {
        throw new DocchatError('empty_file', `${source} is empty (0 bytes). Upload the image again.`, {
          details: { source },
        });
      }
      const { createCanvas, loadImage } = await import('@napi-rs/canvas');
      let image: Awaited<ReturnType<typeof loadImage>>;
      try {
        image = await loadImage(Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength));
      } catch (error) {
        throw corrupt(source, error);
      }
      if (!(image.width > 0 && image.height > 0)) throw corrupt(source);
      const scale = Math.min(1, maxOcrSide / Math.max(image.width, image.height));
      const canvas = createCanvas(
        Math.max(1, Math.round(image.width * scale)),
        Math.max(1, Math.round(image.height * scale)),
      );
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);

      const engine = loaderOptions.ocrEngine ?? createOcrEngine();
      let page: Awaited<ReturnType<typeof ocrPages>>[number] | undefined;
      try {
        [page] = await ocrPages([1], {
          source,
          engine,
          settings,
          totalPages: 1,
          signal,
          onProgress: options.onProgress,
          image: async () => ({ image: canvas.toBuffer('image/png'), unitsPerPixel: 1 / scale }),
        });
      } finally {
        if (!loaderOptions.ocrEngine) await engine.close();
      }
      const [pageText = ''] = renderPages([page ? ocrTextLines(page.result) : []]);
      if (!page || !/\p{L}/u.test(pageText)) {
        throw new DocchatError(
          'image_no_text',
          `OCR found no readable text in ${source}. If it does show text, use a sharper image with more ` +
            'contrast (about 300 dpi for a scanned page), then upload it again.',
          { details: { source } },
        );
      }
      const { text, pages } = joinPages([pageText]);
      for (const span of pages) span.ocr = true;
      const [span] = pages;
      // Boxes are kept as fractions of the image, as a PDF's are of its page, so a viewer scales them to its size.
      const textBoxes = (span ? ocrTextBoxes(page.result, text, span, page.unitsPerPixel) : []).map(
        (box) => ({
          ...box,
          x: box.x / image.width,
          y: box.y / image.height,
          width: box.width / image.width,
          height: box.height / image.height,
        }),
      );
      return { source, kind: 'text', format: 'image', text, pages, textBoxes };
    },
  };
}
