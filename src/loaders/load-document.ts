import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { documentTooLarge } from './document-limits.ts';
import { createDocxLoader } from './docx-loader.ts';
import { detectFileKind, type FileKind, sniffFileKind } from './file-types.ts';
import { createHtmlLoader } from './html-loader.ts';
import { createImageLoader } from './image-loader.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import { createMarkdownLoader } from './markdown-loader.ts';
import { createOcrEngine } from './ocr-engine.ts';
import { createPdfLoader } from './pdf-loader.ts';
import { createTextLoader } from './text-loader.ts';

/** A {@link Loader} for every kind of file, holding one OCR engine that `close` stops. */
export interface DocumentLoader extends Loader {
  /** Terminates the OCR worker, if one was started (it is started again if needed). */
  close(): Promise<void>;
}

/**
 * Creates a loader for every accepted kind of file (see {@link loadDocument} for how the kind is chosen).
 * Its OCR engine starts on the first page that needs OCR and is reused by later loads until `close`; the
 * loads of one `DocumentLoader` should not overlap (the loader pool's workers read one file at a time).
 */
export function createDocumentLoader(): DocumentLoader {
  const ocrEngine = createOcrEngine();
  const loaders: Record<FileKind, Loader> = {
    text: createTextLoader(),
    markdown: createMarkdownLoader(),
    pdf: createPdfLoader({ ocrEngine }),
    docx: createDocxLoader(),
    html: createHtmlLoader(),
    image: createImageLoader({ ocrEngine }),
  };
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      throwIfAborted(options.signal);
      const kind = sniffFileKind(input.data) ?? detectFileKind(input.name, input.mimeType);
      if (input.data.length === 0) {
        throw new DocchatError(
          'empty_file',
          `${input.name} is empty (0 bytes). Upload a file with some content.`,
          {
            details: { source: input.name },
          },
        );
      }
      const document = await loaders[kind].load(input, options);
      // A backstop for loaders that do not meter their text as it grows (the PDF loader stops mid-page).
      const maxCharacters = options.limits?.maxCharacters;
      if (maxCharacters !== undefined && document.text.length > maxCharacters)
        throw documentTooLarge(input.name, 'characters', maxCharacters);
      return document;
    },
    close: () => ocrEngine.close(),
  };
}

/**
 * Loads one uploaded file: bytes that prove a kind decide it whatever the name says (`%PDF-`, the PNG and
 * JPEG signatures, a ZIP holding `word/document.xml`); otherwise the name and MIME type decide. An OCR engine
 * is started only if a page needs it, and stopped before this returns. Throws a `DocchatError` (`empty_file`,
 * `unsupported_file_type`, `not_text`, `pdf_*`, `corrupt_file`, `image_no_text`, `ocr_*`, `aborted`) saying
 * what is wrong.
 */
export async function loadDocument(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
  const loader = createDocumentLoader();
  try {
    return await loader.load(input, options);
  } finally {
    await loader.close();
  }
}
