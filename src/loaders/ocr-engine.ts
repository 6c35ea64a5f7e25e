import { access } from 'node:fs/promises';
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
  /** Reads a PNG image. Rejects with `aborted` when the signal fires (the engine is then reset). */
  recognize(image: Uint8Array, options?: { signal?: AbortSignal; dotsPerInch?: number }): Promise<OcrResult>;
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

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Tesseract straightens a skewed page before reading it (by `radians`, clockwise with y down, about the
 * image's centre) and gives boxes on the straightened page: this turns a box back onto the image as given.
 */
function unrotate(word: OcrWord, radians: number, size: { width: number; height: number }): OcrWord {
  if (radians === 0) return word;
  const cos = Math.cos(-radians);
  const sin = Math.sin(-radians);
  const cx = size.width / 2;
  const cy = size.height / 2;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [
    [word.x0, word.y0],
    [word.x1, word.y0],
    [word.x0, word.y1],
    [word.x1, word.y1],
  ] as const) {
    xs.push(cx + (x - cx) * cos - (y - cy) * sin);
    ys.push(cy + (x - cx) * sin + (y - cy) * cos);
  }
  return { ...word, x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

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
    // tesseract.js fetches a model it cannot read from its CDN, and never settles when loading one fails:
    // so the model must be a file on disk, checked first.
    await access(join(langPath, 'eng.traineddata.gz'));
    const tesseract: Tesseract = await import('tesseract.js');
    const worker = await tesseract.createWorker('eng', tesseract.OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: 'none',
      // tesseract.js logs worker errors to the console itself; they reach us as rejections.
      errorHandler: () => {},
    });
    // tesseract.js reads a page as one block by default; full layout analysis finds columns and pictures.
    await worker.setParameters({ tessedit_pageseg_mode: tesseract.PSM.AUTO });
    return worker;
  }

  async function reset(): Promise<void> {
    const running = worker;
    worker = undefined;
    if (running) await running.then((started) => started.terminate()).catch(() => undefined);
  }

  async function read(image: Uint8Array, dotsPerInch: number | undefined): Promise<OcrResult> {
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
    // A known resolution (a rendered PDF page) spares Tesseract its estimate, and its log line about it.
    await started.setParameters({ user_defined_dpi: String(Math.round(dotsPerInch ?? 0)) });
    const { data } = await started.recognize(
      Buffer.from(image),
      // Straightens a slightly skewed scan before reading it; boxes stay in the image's own pixels.
      { rotateAuto: true },
      { blocks: true, text: false },
    );
    const lines: OcrLine[] = [];
    const radians = data.rotateRadians ?? 0;
    const size = pngSize(image);
    for (const block of data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        paragraph.lines.forEach((line, index) => {
          const words = line.words.map(({ text, bbox, confidence }) =>
            unrotate({ text, ...bbox, confidence }, radians, size),
          );
          lines.push({ words, paragraphStart: index === 0 });
        });
      }
    }
    return { lines };
  }

  return {
    async recognize(image, { signal, dotsPerInch } = {}) {
      if (signal?.aborted) throw aborted(signal.reason);
      if (!signal) return read(image, dotsPerInch);
      // Tesseract cannot stop mid-page: on abort its worker is terminated, so it stops using the CPU.
      const { promise, reject } = Promise.withResolvers<never>();
      const onAbort = () => {
        void reset();
        reject(aborted(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await Promise.race([read(image, dotsPerInch), promise]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    close: reset,
  };
}
