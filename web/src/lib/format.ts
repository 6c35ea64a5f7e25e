/** Sizes as the server words them: 2000000 → "2 MB", 1500000 → "1.5 MB", 300000 → "300 KB". */
export function formatBytes(bytes: number): string {
  const trim = (value: number) => String(Number(value.toFixed(1)));
  if (bytes >= 1_000_000) return `${trim(bytes / 1_000_000)} MB`;
  if (bytes >= 1_000) return `${trim(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}

/** The refusal shown for a file over the limit, in the server's own words. */
export function tooLargeMessage(maxUploadBytes: number): string {
  return `The file is larger than the ${formatBytes(maxUploadBytes)} limit.`;
}

/** The file's extension in lower case with its dot (`.pdf`), or `''` when it has none. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** A page label for a source: "p. 3", or `null` for documents without pages. */
export function pageLabel(page: number | null | undefined): string | null {
  return typeof page === 'number' ? `p. ${page}` : null;
}

const headline = ['.pdf', '.txt', '.md'];

/** "PDF, .txt, .md and 17 more text types": the full list is long; the file picker still accepts all of it. */
export function acceptedSummary(extensions: readonly string[]): string {
  const shown = headline.filter((extension) => extensions.includes(extension));
  const named = shown.length > 0 ? shown : extensions.slice(0, 3);
  const rest = extensions.length - named.length;
  return rest > 0 ? `${named.join(', ')} and ${rest} more text types` : named.join(', ');
}

/** How a citation reads: "DeepSeek_R1.pdf, p. 6, 2.2.4 Performance, Self-evolution Process". */
export function citationLabel(source: { source: string; page: number | null; section?: string[] }): string {
  const page = pageLabel(source.page);
  // The two innermost headings say where a passage is; the outer ones repeat for every passage of a chapter.
  const section = (source.section ?? []).slice(-2);
  return [source.source, ...(page ? [page] : []), ...section].join(', ');
}

/** The document a source's passage comes from: chunk ids are `${documentId}#${index}`. */
export function documentIdOf(sourceId: string): string {
  const hash = sourceId.lastIndexOf('#');
  return hash > 0 ? sourceId.slice(0, hash) : sourceId;
}
