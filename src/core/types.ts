/** Where one page of a PDF lies in its document's text: `text.slice(start, end)` is that page. */
export interface PageSpan {
  /** 1-based page number. */
  page: number;
  start: number;
  end: number;
  /** The page had no text layer: its text was read by OCR from the rendered page (label it as such). */
  ocr?: true;
}

/** The file format a document was read from. */
export type DocumentFormat = 'text' | 'markdown' | 'html' | 'docx' | 'pdf' | 'image';

/**
 * A heading found in a document, for section paths. `start`/`end` span the heading's content in the
 * document's `text` (for Markdown, without the `#` marks or the underline); `text` is its plain text (the
 * same characters for DOCX and HTML, without emphasis or link marks for Markdown). `level` runs from 1 to 6.
 */
export interface Heading {
  level: number;
  text: string;
  start: number;
  end: number;
}

/** What a loader produces: one document's full text, plus its page boundaries for paged formats. */
export interface LoadedDocument {
  /** File name as the user gave it, e.g. `DeepSeek_R1.pdf`. */
  source: string;
  kind: 'text' | 'pdf';
  /** The whole extracted text. PDF pages are joined with `\n\n` (a page break is also a paragraph break). */
  text: string;
  /** Page spans in order, covering `text` without gaps except the page separators; empty for text files. */
  pages: PageSpan[];
  /** Optional document-level metadata a loader found (PDF title, author). */
  title?: string;
  /**
   * The format it was read from. `kind` stays `pdf` for PDFs and `text` for everything else (an image is
   * `text` with one OCR'd page), so code that only knows those two keeps working.
   */
  format?: DocumentFormat;
  /**
   * Where each run of `text` lies on its page (PDF text items; OCR'd words), in text order, for highlighting
   * passages in the original.
   */
  textBoxes?: TextBox[];
  /** Headings found in the document (PDF outline or layout cues, Markdown, DOCX, HTML), in text order. */
  headings?: Heading[];
  /** Set when some pages could not be read (a damaged or truncated PDF): how many could. */
  readablePages?: number;
}

/**
 * Where a run of a document's text lies on its page: `text.slice(start, end)` is drawn in the box. The box is
 * in fractions of the page as displayed (origin top-left, y down, rotation applied: for a PDF, pdf.js's
 * `getViewport({ scale: 1 })` divided by its width and height; for an image, pixels divided by its size), so any
 * renderer multiplies by its own page size.
 */
export interface TextBox {
  /** 1-based page number. */
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  start: number;
  end: number;
}

/**
 * One retrievable passage. Offsets are UTF-16 code-unit indices into the loaded document's `text`,
 * so `document.text.slice(chunk.start, chunk.end) === chunk.text` always holds.
 */
export interface Chunk {
  /** Unique within an index: `${documentId}#${index}`. */
  id: string;
  documentId: string;
  source: string;
  /** 1-based page on which the chunk starts; `null` for documents without pages. */
  page: number | null;
  start: number;
  end: number;
  text: string;
  /** Headings the chunk lies under, outermost first (e.g. `['2 Approach', '2.2 DeepSeek-R1-Zero']`). */
  section?: string[];
  /** The page the chunk starts on had no text layer: its text was read by OCR (label it as such). */
  ocr?: true;
}

/** A chunk returned by retrieval, with its relevance score (higher is better; scale depends on the retriever). */
export interface ScoredChunk {
  chunk: Chunk;
  score: number;
}

/** A retrieved passage as shown to a user or a model: `n` is the `[n]` citation marker (1-based). */
export interface Source {
  n: number;
  id: string;
  source: string;
  page: number | null;
  start: number;
  end: number;
  /** The passage for reading: line breaks inside paragraphs joined (offsets still point into the original). */
  text: string;
  score: number;
  /** Headings the passage lies under, outermost first. */
  section?: string[];
  /** The passage's text was read by OCR from a scanned page or an image, so it may hold misread words. */
  ocr?: true;
}

/** One message of a chat conversation, in the OpenAI role convention. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Which model produced an answer, for the UI's badge and the logs. */
export interface ModelInfo {
  /** `extractive` for the offline answerer, otherwise the model name, e.g. `gpt-4o-mini`. */
  name: string;
  /** True when the answer is assembled from document sentences rather than generated. */
  extractive: boolean;
}

/** What a user sees of an ingested document. */
export interface DocumentSummary {
  id: string;
  source: string;
  kind: 'text' | 'pdf';
  /** Page count for PDFs, `null` for text files. */
  pages: number | null;
  /** Set only when some pages could not be read (a damaged or truncated PDF): how many could, of `pages`. */
  readablePages?: number;
  chunks: number;
  characters: number;
  /** Pages whose text was read by OCR (1-based; an image is page 1); absent when there are none. */
  ocrPages?: number[];
}
