import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { type HtmlNode, htmlToText } from './html-text.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';

/** Word's Title and Subtitle styles are headings too (mammoth already maps Heading 1–6 to `<h1>`–`<h6>`). */
const styleMap = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

function corrupt(source: string, cause?: unknown): DocchatError {
  return new DocchatError(
    'corrupt_file',
    `${source} could not be read as a Word document: the file is damaged, incomplete or not a .docx. ` +
      'Open it in Word (or LibreOffice) and save it again as .docx, then upload the result.',
    { cause, details: { source } },
  );
}

/**
 * Reads Word documents (.docx) with mammoth: paragraphs become paragraphs of text, lists and tables stay
 * readable, and headings (Heading 1–6, Title, Subtitle) are returned in `headings`. Images are dropped and
 * files the document links to are never opened. Throws `corrupt_file` for damaged files (or old binary .doc
 * files) and `empty_file` for documents without text.
 */
export function createDocxLoader(): Loader {
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      throwIfAborted(options.signal);
      const source = input.name;
      if (input.data.length === 0) {
        throw new DocchatError('empty_file', `${source} is empty (0 bytes). Upload the document again.`, {
          details: { source },
        });
      }
      const [{ default: mammoth }, { parseHTML }] = await Promise.all([
        import('mammoth'),
        import('linkedom'),
      ]);
      let html: string;
      try {
        const result = await mammoth.convertToHtml(
          { buffer: Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength) },
          {
            styleMap,
            externalFileAccess: false,
            convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
          },
        );
        html = result.value;
      } catch (error) {
        throw corrupt(source, error);
      }
      throwIfAborted(options.signal);
      const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
      const { text, headings } = htmlToText(document as unknown as HtmlNode);
      if (text.trim() === '') {
        throw new DocchatError(
          'empty_file',
          `${source} has no text: the document is empty, or holds only pictures. Upload a document with text.`,
          { details: { source } },
        );
      }
      options.onProgress?.(1, 1);
      return { source, kind: 'text', format: 'docx', text, pages: [], headings };
    },
  };
}
