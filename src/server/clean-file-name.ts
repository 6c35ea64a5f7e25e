/** The longest file name kept, in UTF-8 bytes: what most file systems allow, so a download can keep it. */
export const maxFileNameBytes = 255;

/** Longest ending kept as an extension when a name is shortened (`.markdown` fits, `.a-long-word` does not). */
const maxExtensionLength = 10;

/**
 * C0 and C1 controls, DEL, and the bidirectional controls (LRM, RLM, ALM, embeddings, overrides, isolates),
 * which can make `evil‮fdp.exe` display as `evilexe.pdf`.
 */
const unwanted = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/** Shortens `text` to at most `limit` UTF-8 bytes, cutting only between whole characters (grapheme clusters). */
function truncateGraphemes(text: string, limit: number): string {
  let kept = '';
  let size = 0;
  for (const { segment } of segmenter.segment(text)) {
    const next = bytes(segment);
    if (size + next > limit) break;
    kept += segment;
    size += next;
  }
  return kept;
}

/**
 * A file name fit to show and store: the last path segment (some browsers send a full path), without control or
 * bidi characters, trimmed, NFC, at most {@link maxFileNameBytes}; a long name keeps its extension and is cut
 * between whole characters. An empty result becomes `upload`.
 */
export function cleanFileName(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const cleaned = base.normalize('NFC').replace(unwanted, '').trim();
  if (cleaned === '') return 'upload';
  if (bytes(cleaned) <= maxFileNameBytes) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= maxExtensionLength ? cleaned.slice(dot) : '';
  const stem = cleaned.slice(0, cleaned.length - extension.length);
  return `${truncateGraphemes(stem, maxFileNameBytes - bytes(extension)).trimEnd()}${extension}`;
}
