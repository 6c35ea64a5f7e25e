import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { decodeText } from './decode-text.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';

/** An empty document is refused here so that no later stage has to handle a document without text. */
function emptyFile(source: string): DocchatError {
  return new DocchatError(
    'empty_file',
    `${source} is empty (or only whitespace). Upload a file with some text in it.`,
    {
      details: { source },
    },
  );
}

/**
 * Reads plain-text files (see {@link decodeText} for the encodings it understands). The text keeps its content
 * as written, with line endings normalized to `\n`; text files have no pages.
 */
export function createTextLoader(): Loader {
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      throwIfAborted(options.signal);
      if (input.data.length === 0) throw emptyFile(input.name);
      const text = decodeText(input.data, input.name);
      if (text.trim() === '') throw emptyFile(input.name);
      options.onProgress?.(1, 1);
      return { source: input.name, kind: 'text', format: 'text', text, pages: [] };
    },
  };
}
