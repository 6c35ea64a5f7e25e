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

/** How to measure the part of a box a passage covers: the document's text and a width for a string of it. */
export interface TextMeasure {
  text: string;
  /** The width of `text` in any unit (only ratios are used), e.g. from a canvas's `measureText`. */
  width: (text: string) => number;
}

/** Where `offset` lies across a box, as a share of its width: by measured widths, or by characters. */
function shareAt(box: TextBox, offset: number, measure: TextMeasure | undefined): number {
  if (offset <= box.start) return 0;
  if (offset >= box.end) return 1;
  if (measure !== undefined) {
    const whole = measure.width(measure.text.slice(box.start, box.end));
    if (whole > 0) return Math.min(1, measure.width(measure.text.slice(box.start, offset)) / whole);
  }
  return (offset - box.start) / (box.end - box.start);
}

/**
 * Maps a passage's `[start, end)` character range in a document's text to the rectangles it covers, page by
 * page in text order (a passage may cross a page break or a column). Each box overlapping the range contributes
 * the share of its width that the range covers: measured with `measure` when given (a PDF's text item is one
 * box, and its glyph widths are not stored), else counting characters as equally wide. Neighbouring pieces on
 * one line are merged into one rectangle. `boxes` must be in text order.
 */
export function passageRects(
  boxes: readonly TextBox[],
  start: number,
  end: number,
  measure?: TextMeasure,
): PageHighlight[] {
  const highlights: PageHighlight[] = [];
  let last: PageRect | undefined;
  for (const box of boxes) {
    const from = Math.max(start, box.start);
    const to = Math.min(end, box.end);
    if (to <= from) continue;
    const left = shareAt(box, from, measure);
    const right = shareAt(box, to, measure);
    const rect: PageRect = {
      x: box.x + box.width * left,
      y: box.y,
      width: box.width * (right - left),
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
