import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { documentTooLarge } from './document-limits.ts';
import { detectFileKind, type FileKind, looksLikePdf } from './file-types.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import { createPdfLoader } from './pdf-loader.ts';
import { createTextLoader } from './text-loader.ts';

const loaders: Record<FileKind, Loader> = { text: createTextLoader(), pdf: createPdfLoader() };

/**
 * Loads one uploaded file: decides whether it is text or PDF (bytes starting with `%PDF-` are a PDF whatever
 * the name says; otherwise the name and MIME type decide) and hands it to that loader. Throws a `DocchatError`
 * (`empty_file`, `unsupported_file_type`, `not_text`, `pdf_*`, `aborted`) saying what is wrong.
 */
export async function loadDocument(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
  throwIfAborted(options.signal);
  const kind = looksLikePdf(input.data) ? 'pdf' : detectFileKind(input.name, input.mimeType);
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
}
