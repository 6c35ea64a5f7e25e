import type { LoadedDocument } from '../core/types.ts';

/**
 * The media type an uploaded original is served with: PDFs as PDFs, Markdown as Markdown, other text as plain
 * text (never as HTML or script, whatever the uploader declared). Text keeps its original bytes and encoding.
 */
export function originalContentType(document: Pick<LoadedDocument, 'kind' | 'source'>): string {
  if (document.kind === 'pdf') return 'application/pdf';
  if (/\.(md|markdown)$/iu.test(document.source)) return 'text/markdown';
  return 'text/plain';
}
