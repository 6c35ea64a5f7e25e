/**
 * A PDF as an interrupted download leaves it, with the page tree first: the catalog, the page tree and every
 * page object come before the content streams (with an early trailer, as in a linearized file), so a cut after
 * `keptPages` streams leaves a file that still declares all its pages but holds the text of only the first
 * `keptPages`. (Writers that put the page tree
 * at the end, like pdf-lib, give files that cannot be opened at all when cut.)
 */
export function buildTruncatedPdf(pages: string[], keptPages: number): Uint8Array {
  const count = pages.length;
  const pageId = (index: number) => 4 + index;
  const contentId = (index: number) => 4 + count + index;
  const objects: string[] = [
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
    `2 0 obj\n<< /Type /Pages /Count ${count} /Kids [${pages.map((_, i) => `${pageId(i)} 0 R`).join(' ')}] >>\nendobj\n`,
    '3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n',
    ...pages.map(
      (_, i) =>
        `${pageId(i)} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId(i)} 0 R >>\nendobj\n`,
    ),
  ];
  const streams = pages.map((text, i) => {
    const escaped = text.replace(/[\\()]/g, (character) => `\\${character}`);
    const content = `BT /F1 12 Tf 72 720 Td (${escaped}) Tj ET`;
    return `${contentId(i)} 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n`;
  });
  // Like a linearized ("fast web view") file, the trailer naming the catalog comes early, with the page tree.
  const trailer = `trailer\n<< /Size ${4 + 2 * count} /Root 1 0 R >>\n`;
  const head = `%PDF-1.4\n${objects.join('')}${trailer}${streams.slice(0, keptPages).join('')}`;
  // Cut in the middle of the next stream, as a download stops wherever it stops.
  const next = streams[keptPages] ?? '';
  return new TextEncoder().encode(head + next.slice(0, Math.floor(next.length / 2)));
}
