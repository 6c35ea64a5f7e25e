import type { DocumentOverview } from '../chat-models/chat-model.ts';
import type { Chunk } from '../core/types.ts';

/** A document's overview plus the chunks that best introduce it (its opening or abstract, its conclusion). */
export interface OverviewWithChunks extends DocumentOverview {
  chunks: Chunk[];
}

const numberedHeading = /^(\d{1,2})\.?\s+(\p{Lu}[\p{L}\p{N} ,:&'’()/-]{2,70}?)(?:\s*\.{2,}.*|\s+\d{1,3})?$/u;
const namedHeading =
  /^(introduction|background|related work|methods?|methodology|approach|results|experiments?|evaluation|discussion|limitations|conclusions?(?: and future work)?|summary)$/i;
const connectingWord = /(?:\b(?:via|of|for|and|in|on|with|to|the|a|an|from|by|towards?)|[:–—-])$/i;

/**
 * Builds the overview of each document in an index from its chunks alone (so it also works on an index
 * restored from storage): title from the first lines, top-level headings from numbered or well-known heading
 * lines (a table of contents counts), and the chunks that introduce the document.
 */
export function buildOverviews(chunks: readonly Chunk[]): OverviewWithChunks[] {
  const byDocument = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    const list = byDocument.get(chunk.documentId);
    if (list) list.push(chunk);
    else byDocument.set(chunk.documentId, [chunk]);
  }
  return [...byDocument.values()].map((documentChunks) => {
    const ordered = [...documentChunks].sort((a, b) => a.start - b.start);
    const first = ordered[0] as Chunk;
    return {
      source: first.source,
      title: findTitle(first.text),
      headings: findHeadings(ordered),
      chunks: introducingChunks(ordered),
    };
  });
}

function findTitle(text: string): string | null {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/^#+\s*/, '').trim())
    .filter(Boolean);
  const [firstLine, secondLine] = lines;
  if (!firstLine || firstLine.length > 160 || /^abstract\b/i.test(firstLine)) return null;
  // A title broken over two lines: the first ends on a connecting word or the second continues in lower case.
  if (
    secondLine &&
    secondLine.length <= 100 &&
    !/@|^abstract\b/i.test(secondLine) &&
    (connectingWord.test(firstLine) || /^\p{Ll}/u.test(secondLine))
  ) {
    return `${firstLine} ${secondLine}`;
  }
  return firstLine;
}

function findHeadings(chunks: readonly Chunk[]): string[] {
  const headings: string[] = [];
  const seen = new Set<string>();
  let expected = 1;
  for (const chunk of chunks) {
    for (const rawLine of chunk.text.split('\n')) {
      const line = rawLine.replace(/^#+\s*/, '').trim();
      const numbered = numberedHeading.exec(line);
      let heading: string | null = null;
      // Numbered top-level headings must come in sequence (1, 2, 3...), which rules out list items and table cells.
      if (numbered && Number(numbered[1]) === expected) {
        heading = numbered[2]?.trim() ?? null;
        expected++;
      } else if (!numbered && namedHeading.test(line)) {
        heading = line;
      }
      if (heading && !seen.has(heading.toLowerCase())) {
        seen.add(heading.toLowerCase());
        headings.push(heading);
      }
    }
  }
  return headings.slice(0, 12);
}

function introducingChunks(chunks: readonly Chunk[]): Chunk[] {
  const opening = chunks.slice(0, 3);
  const abstract = opening.find((chunk) => /(^|\n)\s*abstract\b/i.test(chunk.text)) ?? opening[0];
  // A conclusion heading line, not a table-of-contents entry (those end in dot leaders or a page number).
  const conclusion = chunks.find(
    (chunk) =>
      chunk !== abstract &&
      chunk.text
        .split('\n')
        .some((line) => /^\s*(\d+\.?\s+)?conclusions?\b/i.test(line) && !/(\.\s*){2,}|\s\d+\s*$/.test(line)),
  );
  return [abstract, conclusion].filter((chunk): chunk is Chunk => chunk !== undefined);
}
