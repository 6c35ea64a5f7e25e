import type { TextBox } from '../core/types.ts';

/** A rectangle in fractions of the displayed page (origin top-left, y down). */
export interface PageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The rectangles that cover a passage on one page, in text order. */
export interface PageHighlight {
  page: number;
  rects: PageRect[];
}

/** Pieces on one line closer than this share of their height are drawn as one rectangle (a word space). */
const mergeGapRatio = 0.6;
/** Pieces whose vertical overlap is at least this share of the smaller height are on the same line. */
const sameLineOverlap = 0.5;

function sameLine(first: PageRect, second: PageRect): boolean {
  const overlap = Math.min(first.y + first.height, second.y + second.height) - Math.max(first.y, second.y);
  const smaller = Math.min(first.height, second.height);
  const gap = second.x - (first.x + first.width);
  return overlap >= sameLineOverlap * smaller && gap >= -smaller * 0.1 && gap <= mergeGapRatio * smaller;
}

function union(first: PageRect, second: PageRect): PageRect {
  const x = Math.min(first.x, second.x);
  const y = Math.min(first.y, second.y);
  return {
    x,
    y,
    width: Math.max(first.x + first.width, second.x + second.width) - x,
    height: Math.max(first.y + first.height, second.y + second.height) - y,
  };
}

/**
 * Maps a passage's `[start, end)` character range in a document's text to the rectangles it covers, page by
 * page in text order (a passage may cross a page break or a column). Each box overlapping the range contributes
 * the share of its width that the range covers (characters are taken as equally wide inside one text item);
 * neighbouring pieces on one line are merged into one rectangle. `boxes` must be in text order.
 */
export function passageRects(boxes: readonly TextBox[], start: number, end: number): PageHighlight[] {
  const highlights: PageHighlight[] = [];
  let last: PageRect | undefined;
  for (const box of boxes) {
    const from = Math.max(start, box.start);
    const to = Math.min(end, box.end);
    if (to <= from) continue;
    const length = box.end - box.start;
    const rect: PageRect = {
      x: box.x + (box.width * (from - box.start)) / length,
      y: box.y,
      width: (box.width * (to - from)) / length,
      height: box.height,
    };
    let highlight = highlights.at(-1);
    if (highlight?.page !== box.page) {
      highlight = { page: box.page, rects: [] };
      highlights.push(highlight);
      last = undefined;
    }
    if (last !== undefined && sameLine(last, rect)) {
      last = union(last, rect);
      highlight.rects[highlight.rects.length - 1] = last;
    } else {
      last = rect;
      highlight.rects.push(rect);
    }
  }
  return highlights;
}
