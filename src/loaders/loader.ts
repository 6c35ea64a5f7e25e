import type { LoadedDocument } from '../core/types.ts';
import type { DocumentLimits } from './document-limits.ts';
import type { OcrSettings } from './ocr-settings.ts';

/** The raw file a user handed us. */
export interface LoadInput {
  /** File name as given, used for the type check and as the document's `source`. */
  name: string;
  data: Uint8Array;
  /** MIME type as declared by the uploader, if any (e.g. `text/markdown`). */
  mimeType?: string;
}

/** What a progress report is about, beyond its numbers. */
export interface ProgressDetail {
  /** The page is being read by OCR: `done` is the page starting, e.g. "Reading page 3 of 12 (OCR)". */
  ocr?: true;
}

/** Options common to every loader. */
export interface LoadOptions {
  /** Password for an encrypted PDF. */
  password?: string;
  signal?: AbortSignal;
  /**
   * Called as pages are parsed: `done` of `total` pages (text files report 1 of 1). Pages read by OCR are
   * reported again as each starts, with `{ ocr: true }`.
   */
  onProgress?: (done: number, total: number, detail?: ProgressDetail) => void;
  /** Whether and within which limits pages without text are read by OCR; `defaultOcrSettings` if absent. */
  ocr?: OcrSettings;
  /** Bounds checked while the file is read; past one, the load throws `document_too_large`. None by default. */
  limits?: DocumentLimits;
  /** Whose load this is (a session id), so a pool of parsers can take turns between callers fairly. */
  queueKey?: string;
  /**
   * Settles when the caller is done with the document (the server: stored and indexed). A pool counts the file
   * against its `maxHeld` until then, so parsing never runs further ahead of the work that follows it. A load
   * that fails is let go at once. Without it, a file is let go when its load settles.
   */
  heldUntil?: Promise<unknown>;
}

/** Turns the bytes of one file into a {@link LoadedDocument}, or throws a `DocchatError` saying why not. */
export interface Loader {
  load(input: LoadInput, options?: LoadOptions): Promise<LoadedDocument>;
}
