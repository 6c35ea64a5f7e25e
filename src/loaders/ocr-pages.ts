import { DocchatError } from '../core/errors.ts';
import type { ProgressDetail } from './loader.ts';
import type { OcrEngine, OcrResult } from './ocr-engine.ts';
import type { OcrSettings } from './ocr-settings.ts';

/** One page read by OCR: what Tesseract saw, and the size of one image pixel in page units. */
export interface OcrPage {
  page: number;
  result: OcrResult;
  unitsPerPixel: number;
}

/** What {@link ocrPages} needs: the engine, the limits, and how to get each page's image. */
export interface OcrPagesOptions {
  source: string;
  engine: OcrEngine;
  settings: OcrSettings;
  /** Total pages of the document, for progress ("page 3 of 12"). */
  totalPages: number;
  /** Renders a page (1-based) to a PNG or JPEG; `unitsPerPixel` converts its pixels to page units. */
  image: (page: number) => Promise<{ image: Uint8Array; unitsPerPixel: number; dotsPerInch?: number }>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, detail?: ProgressDetail) => void;
}

function aborted(reason: unknown): DocchatError {
  return new DocchatError('aborted', 'The request was cancelled.', { cause: reason });
}

/**
 * Reads the given pages by OCR, in order, within the document's limits: more pages than `settings.maxPages` is
 * refused up front with `ocr_too_many_pages`, and OCR running past `settings.timeoutMs` stops with
 * `ocr_timeout`. Reports `onProgress(page, totalPages, { ocr: true })` as each page starts.
 */
export async function ocrPages(pages: readonly number[], options: OcrPagesOptions): Promise<OcrPage[]> {
  const { source, engine, settings, signal } = options;
  if (pages.length > settings.maxPages) {
    throw new DocchatError(
      'ocr_too_many_pages',
      `${source} has ${pages.length} pages without a text layer, more than the ${settings.maxPages} that may be ` +
        'read by OCR for one document (DOCCHAT_OCR_MAX_PAGES). Split it into smaller files, or run it through ' +
        'an OCR tool such as ocrmypdf first.',
      { details: { source, pages: pages.length, limit: settings.maxPages } },
    );
  }
  const deadline = AbortSignal.timeout(settings.timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const read: OcrPage[] = [];
  try {
    for (const page of pages) {
      if (stop.aborted) throw aborted(stop.reason);
      options.onProgress?.(page, options.totalPages, { ocr: true });
      const { image, unitsPerPixel, dotsPerInch } = await options.image(page);
      const result = await engine.recognize(image, {
        signal: stop,
        ...(dotsPerInch === undefined ? {} : { dotsPerInch }),
      });
      read.push({ page, result, unitsPerPixel });
    }
  } catch (error) {
    if (deadline.aborted && !signal?.aborted) {
      throw new DocchatError(
        'ocr_timeout',
        `Reading ${source} by OCR took longer than the ${settings.timeoutMs / 1000} s allowed for one ` +
          'document (DOCCHAT_OCR_TIMEOUT_MS). Split it into smaller files, or run it through an OCR tool ' +
          'such as ocrmypdf first.',
        { cause: error, details: { source, limitMs: settings.timeoutMs, pagesRead: read.length } },
      );
    }
    if (signal?.aborted) throw aborted(signal.reason);
    throw error;
  }
  return read;
}
