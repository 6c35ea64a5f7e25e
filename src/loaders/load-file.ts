import type { LoadedDocument } from '../core/types.ts';
import { loadDocument } from './load-document.ts';
import type { LoadOptions } from './loader.ts';
import { readInput } from './read-input.ts';

/**
 * Reads a file from disk and loads it with {@link loadDocument}; the document's `source` is the file's base
 * name. A missing path gives `file_not_found`, a directory `unsupported_file_type`.
 */
export async function loadFile(
  path: string,
  options: LoadOptions & { mimeType?: string } = {},
): Promise<LoadedDocument> {
  const { mimeType, ...loadOptions } = options;
  return loadDocument(await readInput(path, { signal: options.signal, mimeType }), loadOptions);
}
