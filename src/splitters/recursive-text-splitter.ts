import type { Chunk, LoadedDocument } from '../core/types.ts';
import { isWhitespace } from '../text/is-whitespace.ts';
import { type ChunkSizeOptions, resolveChunkSizeOptions } from './chunk-size-options.ts';
import { chunksFromRanges } from './chunks-from-ranges.ts';
import { createCodePointIndex } from './code-point-index.ts';
import type { TextSplitter } from './text-splitter.ts';

/** A boundary-aware splitter that measures `chunkSize` and `chunkOverlap` in code points. */
export interface RecursiveTextSplitter extends TextSplitter {
  readonly chunkSize: number;
  readonly chunkOverlap: number;
}

/**
 * Creates the default splitter. Each chunk holds at most `chunkSize` characters, counted in code points (an
 * emoji is one character, as in the reference's CharacterTextSplitter), and ends at the strongest boundary
 * that keeps it at least half full: a page break, then a paragraph (`\n\n`), a line, a sentence end, a space,
 * and only when a single word fills the window, mid-word (never inside a surrogate pair). When no boundary
 * keeps it half full, it takes the last boundary of the strongest kind available.
 * Consecutive chunks share at most `chunkOverlap` characters; the shared part starts at a page start, else
 * at the earliest sentence or line start, else the earliest word start in reach, else there is no overlap (and
 * a chunk that ends at a page break is never overlapped, so the next chunk starts at the top of its page).
 * Chunks never start or end with whitespace (offsets are moved, text is never copied or rewritten), and
 * whitespace-only text gives no chunks. It works on indices with native regex searches that only move
 * forward: time linear in the text (plus the chunks returned), and no intermediate strings.
 */
export function createRecursiveTextSplitter(options: ChunkSizeOptions = {}): RecursiveTextSplitter {
  const { chunkSize, chunkOverlap } = resolveChunkSizeOptions(options);
  return {
    chunkSize,
    chunkOverlap,
    split(document: LoadedDocument, documentId: string = document.source): Chunk[] {
      const ranges = chunkRanges(document.text, pageStartsOf(document), chunkSize, chunkOverlap);
      return chunksFromRanges(document, documentId, ranges);
    },
  };
}

/** Page starts that can begin a chunk: inside the text, in order, never inside a surrogate pair. */
function pageStartsOf(document: LoadedDocument): number[] {
  const { text } = document;
  const starts: number[] = [];
  for (const { start } of document.pages) {
    const splitsPair =
      (text.charCodeAt(start) & 0xfc00) === 0xdc00 && (text.charCodeAt(start - 1) & 0xfc00) === 0xd800;
    if (start > 0 && start < text.length && !splitsPair && start !== starts.at(-1)) starts.push(start);
  }
  return starts;
}

/**
 * Finds boundary "anchors" (a position inside or at the start of the whitespace run that separates content,
 * or an empty gap between two characters) lazily, with native regex searches, so a document is never scanned
 * character by character in JavaScript. Queries move forward through the text, so a cache of the last answer
 * keeps the total work linear even when a kind of boundary is rare or absent.
 */
interface AnchorStream {
  /** The first anchor at or after `from`, or `Infinity`. */
  first(from: number): number;
}

/** Anchors of a global regex: the match's end (`anchorAtEnd`) or its last character. */
function regexAnchors(text: string, pattern: RegExp, anchorAtEnd: boolean): AnchorStream {
  const regex = new RegExp(pattern.source, 'g');
  let cachedFrom = 0;
  let cachedAnchor = -1;
  return {
    first(from) {
      if (from >= cachedFrom && from <= cachedAnchor) return cachedAnchor;
      // Matches may begin a few characters before their anchor (a terminal and closing quotes before a space).
      regex.lastIndex = Math.max(from - 4, 0);
      let anchor = Number.POSITIVE_INFINITY;
      while (regex.test(text)) {
        const found = anchorAtEnd ? regex.lastIndex : regex.lastIndex - 1;
        if (found >= from) {
          anchor = found;
          break;
        }
      }
      cachedFrom = from;
      cachedAnchor = anchor;
      return anchor;
    },
  };
}

/** Anchors at fixed, sorted positions (page starts). */
function positionAnchors(positions: readonly number[]): AnchorStream {
  return {
    first(from) {
      let low = 0;
      let high = positions.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((positions[middle] ?? Number.POSITIVE_INFINITY) < from) low = middle + 1;
        else high = middle;
      }
      return positions[low] ?? Number.POSITIVE_INFINITY;
    },
  };
}

/** Closing quotes and brackets that may follow a sentence terminal. */
const closers = `"'”’)\\]»」』）】》〉`;
/** A sentence end: a terminal (and closers) before whitespace, or a CJK full stop, which needs no space. */
const sentenceEnd = new RegExp(`[.!?…‼⁇⁈⁉][${closers}]{0,3}(?=\\s)|[。！？｡][${closers}]{0,3}`);
/** One line break: CRLF counts once. */
const lineBreak = '(?:\\r\\n|\\r(?!\\n)|[\\n\\u2028])';
/** Two line breaks with only horizontal whitespace between, or a paragraph separator or form feed. */
const paragraphBreak = new RegExp(`${lineBreak}[^\\S\\r\\n\\u2028\\u2029\\f]*${lineBreak}|[\\u2029\\f]`);

/**
 * The last anchor of one kind of boundary up to a limit, for windows that only move forward: it resumes
 * from the previous answer instead of searching the window again.
 */
function lastAnchorFinder(stream: AnchorStream): (limit: number, floor: number) => number | undefined {
  let cursor = -1;
  return (limit, floor) => {
    let anchor = cursor > floor ? cursor : stream.first(floor + 1);
    if (anchor > limit) return undefined;
    for (let next = stream.first(anchor + 1); next <= limit; next = stream.first(anchor + 1)) anchor = next;
    cursor = anchor;
    return anchor;
  };
}

/** Yields `[start, end)` UTF-16 ranges of the chunks, in order. */
function* chunkRanges(
  text: string,
  pageStarts: readonly number[],
  chunkSize: number,
  chunkOverlap: number,
): Generator<[number, number]> {
  const n = text.length;
  const walkBack = (index: number): number => {
    let position = index;
    while (position > 0 && isWhitespace(text.charCodeAt(position - 1))) position--;
    return position;
  };
  const walkForward = (index: number): number => {
    let position = index;
    while (position < n && isWhitespace(text.charCodeAt(position))) position++;
    return position;
  };

  let start = walkForward(0);
  if (start >= n) return;
  const contentEnd = walkBack(n);
  const codePoints = createCodePointIndex(text);
  const contentEndCount = codePoints.before(contentEnd);

  // Strongest first; each finds the last anchor of its kind in a window.
  const endFinders = [
    lastAnchorFinder(positionAnchors(pageStarts)),
    lastAnchorFinder(regexAnchors(text, paragraphBreak, false)),
    lastAnchorFinder(regexAnchors(text, /[\r\n\u2028\u2029\f]/, false)),
    lastAnchorFinder(regexAnchors(text, sentenceEnd, true)),
    lastAnchorFinder(regexAnchors(text, /\s+/, false)),
  ];
  const sentenceStarts = regexAnchors(text, sentenceEnd, true);
  const lineStarts = regexAnchors(text, /[\r\n\u2028\u2029\f]/, false);
  const wordStarts = regexAnchors(text, /\s+/, false);
  let nextPage = 0;
  let previousEnd = start;

  for (;;) {
    const startCount = codePoints.before(start);
    if (contentEndCount - startCount <= chunkSize) {
      yield [start, contentEnd];
      return;
    }
    const windowEnd = codePoints.unitIndex(startCount + chunkSize);
    const halfFull = codePoints.unitIndex(startCount + Math.ceil(chunkSize / 2));
    const floor = Math.max(start, previousEnd);
    let end: number | undefined;
    // First the strongest boundary keeping the chunk half full, then the strongest at all, then mid-word.
    for (const minimum of [halfFull, floor + 1]) {
      for (const findLast of endFinders) {
        const anchor = findLast(windowEnd, floor);
        const boundary = anchor === undefined ? -1 : walkBack(anchor);
        if (boundary > floor && boundary >= minimum) {
          end = boundary;
          break;
        }
      }
      if (end !== undefined) break;
    }
    // `windowEnd` is a code point boundary; content before it reaches past `floor` (see the check below).
    end ??= walkBack(windowEnd);
    yield [start, end];

    const nextContent = walkForward(end);
    let nextStart = nextContent;
    if (chunkOverlap > 0) {
      const lowest = Math.max(
        codePoints.unitIndex(Math.max(codePoints.before(end) - chunkOverlap, 0)),
        start + 1,
      );
      // A page start in reach (or in the gap after this chunk) wins: the next chunk then starts its page.
      while (nextPage < pageStarts.length && walkForward(pageStarts[nextPage] ?? n) < lowest) nextPage++;
      const pageStart = walkForward(pageStarts[nextPage] ?? n);
      if (pageStart <= nextContent) {
        nextStart = pageStart;
      } else {
        const from = walkBack(lowest);
        const sentenceStart = walkForward(Math.min(sentenceStarts.first(from), lineStarts.first(from)));
        const wordStart = walkForward(wordStarts.first(from));
        if (sentenceStart <= end) nextStart = sentenceStart;
        else if (wordStart <= end) nextStart = wordStart;
      }
      // The next chunk must reach past this one; a long whitespace run after `end` can make that impossible.
      const nextContentEnd = codePoints.unitIndex(codePoints.before(nextContent) + 1);
      if (codePoints.before(nextContentEnd) - codePoints.before(nextStart) > chunkSize)
        nextStart = nextContent;
    }
    previousEnd = end;
    start = nextStart;
  }
}
