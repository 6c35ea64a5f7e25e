/** How OCR may be used on one document (`DOCCHAT_OCR`, `DOCCHAT_OCR_MAX_PAGES`, `DOCCHAT_OCR_TIMEOUT_MS`). */
export interface OcrSettings {
  /** When false, scans are refused with `pdf_no_text` and images with `unsupported_file_type`. */
  enabled: boolean;
  /** Most pages one document may need read by OCR; more is refused with `ocr_too_many_pages`. */
  maxPages: number;
  /** Longest time OCR may take for one document, in milliseconds; beyond it the load fails with `ocr_timeout`. */
  timeoutMs: number;
}

/** The defaults of the README's configuration table: about 15 s per letter-size page on one core. */
export const defaultOcrSettings: OcrSettings = { enabled: true, maxPages: 50, timeoutMs: 900_000 };
