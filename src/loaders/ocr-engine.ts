import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DocchatError } from '../core/errors.ts';

/** One word read by OCR, with its box in the image's pixels (`x0, y0` top-left, `x1, y1` bottom-right). */
export interface OcrWord {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Tesseract's confidence, 0 to 100. */
  confidence: number;
}

/** One line of words, in reading order; `paragraphStart` when Tesseract saw a new paragraph (or block) begin. */
export interface OcrLine {
  words: OcrWord[];
  paragraphStart: boolean;
}

/** What OCR read from one image: its lines in reading order (columns one after the other). */
export interface OcrResult {
  lines: OcrLine[];
}

/** Reads text from images with Tesseract; one engine is used by one load at a time. */
export interface OcrEngine {
  /** Reads a PNG or JPEG image. Rejects with `aborted` when the signal fires (the engine is then reset). */
  recognize(image: Uint8Array, options?: { signal?: AbortSignal }): Promise<OcrResult>;
  /** Terminates Tesseract's worker, if one was started; the engine starts a new one if used again. */
  close(): Promise<void>;
}

type Tesseract = typeof import('tesseract.js');
type TesseractWorker = Awaited<ReturnType<Tesseract['createWorker']>>;

const require = createRequire(import.meta.url);

/**
 * The English model shipped by the `@tesseract.js-data/eng` package, read from disk. `4.0.0_best_int` is the
 * LSTM-only model (the one tesseract.js itself picks for its default LSTM engine), smaller and more accurate
 * than the legacy-compatible `4.0.0`.
 */
export const englishModelPath = join(
  dirname(require.resolve('@tesseract.js-data/eng/package.json')),
  '4.0.0_best_int',
);

function aborted(reason: unknown): DocchatError {
  return new DocchatError('aborted', 'The request was cancelled.', { cause: reason });
}

/**
 * Creates a Tesseract (tesseract.js) engine that never touches the network: the language model comes from
 * `langPath` (a directory, so tesseract.js reads it from disk instead of its CDN), nothing is cached to disk,
 * and the WebAssembly core is `tesseract.js-core` from node_modules. tesseract.js is imported and its worker
 * started on the first `recognize`, then reused until `close`.
 */
export function createOcrEngine(options: { langPath?: string } = {}): OcrEngine {
  const langPath = options.langPath ?? englishModelPath;
  let worker: Promise<TesseractWorker> | undefined;

  async function start(): Promise<TesseractWorker> {
    const tesseract: Tesseract = await import('tesseract.js');
    return tesseract.createWorker('eng', tesseract.OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: 'none',
      // tesseract.js logs worker errors to the console itself; they reach us as rejections.
      errorHandler: () => {},
    });
  }

  async function reset(): Promise<void> {
    const running = worker;
    worker = undefined;
    if (running) await running.then((started) => started.terminate()).catch(() => undefined);
  }

  async function read(image: Uint8Array): Promise<OcrResult> {
    worker ??= start();
    let started: TesseractWorker;
    try {
      started = await worker;
    } catch (error) {
      worker = undefined;
      throw new DocchatError(
        'internal',
        'The OCR engine could not start: its English model is missing or damaged. Reinstall the ' +
          'dependencies (npm install), or set DOCCHAT_OCR=off.',
        { cause: error, details: { langPath } },
      );
    }
    const { data } = await started.recognize(Buffer.from(image), {}, { blocks: true, text: false });
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        paragraph.lines.forEach((line, index) => {
          const words = line.words.map(({ text, bbox, confidence }) => ({ text, ...bbox, confidence }));
          lines.push({ words, paragraphStart: index === 0 });
        });
      }
    }
    return { lines };
  }

  return {
    async recognize(image, { signal } = {}) {
      if (signal?.aborted) throw aborted(signal.reason);
      if (!signal) return read(image);
      // Tesseract cannot stop mid-page: on abort its worker is terminated, so it stops using the CPU.
      const { promise, reject } = Promise.withResolvers<never>();
      const onAbort = () => {
        void reset();
        reject(aborted(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await Promise.race([read(image), promise]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    close: reset,
  };
}
