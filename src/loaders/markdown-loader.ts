import type { LoadedDocument } from '../core/types.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import { findMarkdownHeadings } from './markdown-headings.ts';
import { createTextLoader } from './text-loader.ts';

/**
 * Reads Markdown files: the text exactly as the text loader reads it (marks included, so offsets point into
 * the file as written), plus its headings as CommonMark parses them.
 */
export function createMarkdownLoader(): Loader {
  const textLoader = createTextLoader();
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      const document = await textLoader.load(input, options);
      return { ...document, format: 'markdown', headings: findMarkdownHeadings(document.text) };
    },
  };
}
