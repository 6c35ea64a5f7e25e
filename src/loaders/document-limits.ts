import { DocchatError } from '../core/errors.ts';

/** Bounds on what one file may cost to read; each is checked while the file is parsed, not afterwards. */
export interface DocumentLimits {
  /** Most characters of extracted text. */
  maxCharacters?: number;
  /** Most pages of a PDF. */
  maxPages?: number;
  /** Longest parse, in ms from the start of the load. */
  parseTimeoutMs?: number;
  /** Most bytes a PDF's deflated streams (images left out) may decode to, in MB. */
  maxPdfDecodedMb?: number;
}

/** Which limit a document went past, as named in `document_too_large` details and messages. */
export type DocumentLimitName =
  | 'characters'
  | 'pages'
  | 'chunks'
  | 'parse_time'
  | 'parser_memory'
  | 'pdf_decoded';

const settings: Record<DocumentLimitName, { setting: string; unit: string }> = {
  characters: { setting: 'DOCCHAT_MAX_DOCUMENT_CHARS', unit: 'characters of text' },
  pages: { setting: 'DOCCHAT_MAX_PAGES', unit: 'pages' },
  chunks: { setting: 'DOCCHAT_MAX_CHUNKS', unit: 'passages' },
  parse_time: { setting: 'DOCCHAT_PARSE_TIMEOUT_MS', unit: 'ms of parsing' },
  parser_memory: { setting: 'DOCCHAT_PARSER_MAX_HEAP_MB', unit: 'MB of parser memory' },
  pdf_decoded: { setting: 'DOCCHAT_MAX_PDF_DECODED_MB', unit: 'MB of decompressed PDF content' },
};

/** The `document_too_large` error for `source` past `limit` (its value `max`), naming the setting to raise. */
export function documentTooLarge(source: string, limit: DocumentLimitName, max: number): DocchatError {
  const { setting, unit } = settings[limit];
  return new DocchatError(
    'document_too_large',
    `${source} is too large to read here: it goes past the limit of ${max.toLocaleString('en-US')} ${unit} ` +
      `(${setting}). Split it into smaller files, or ask the operator to raise ${setting}.`,
    { details: { source, limit, max, setting } },
  );
}

/**
 * Counts what a parse produces against the limits, from the moment it is made: call `addCharacters` as text
 * arrives and `checkTime` between steps; both throw `document_too_large` once a limit is passed.
 */
export function createLimitMeter(source: string, limits: DocumentLimits = {}, now: () => number = Date.now) {
  const started = now();
  let characters = 0;
  return {
    checkPages(pages: number): void {
      if (limits.maxPages !== undefined && pages > limits.maxPages)
        throw documentTooLarge(source, 'pages', limits.maxPages);
    },
    addCharacters(count: number): void {
      characters += count;
      if (limits.maxCharacters !== undefined && characters > limits.maxCharacters)
        throw documentTooLarge(source, 'characters', limits.maxCharacters);
    },
    checkTime(): void {
      if (limits.parseTimeoutMs !== undefined && now() - started > limits.parseTimeoutMs)
        throw documentTooLarge(source, 'parse_time', limits.parseTimeoutMs);
    },
  };
}

/** A meter's checks; see {@link createLimitMeter}. */
export type LimitMeter = ReturnType<typeof createLimitMeter>;
