import type { LoadedDocument } from '../core/types.ts';

/** Media types of originals by extension; anything else that is not a PDF is served as plain text. */
const byExtension: Record<string, string> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/**
 * The media type an uploaded original is served with: PDFs as PDFs, images and Word files as themselves, Markdown
 * as Markdown, other text (HTML included) as plain text: never as HTML or script, whatever the uploader declared.
 * Text keeps its original bytes and encoding.
 */
export function originalContentType(document: Pick<LoadedDocument, 'kind' | 'source'>): string {
  if (document.kind === 'pdf') return 'application/pdf';
  const dot = document.source.lastIndexOf('.');
  const extension = dot > 0 ? document.source.slice(dot).toLowerCase() : '';
  return byExtension[extension] ?? 'text/plain';
}
