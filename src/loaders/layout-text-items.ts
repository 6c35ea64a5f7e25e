/** The parts of a pdf.js text item that layout needs (pdf.js's `TextItem` satisfies it). */
export interface PdfTextItem {
  str: string;
  /** Text-space to page-space matrix `[a, b, c, d, e, f]`; `(e, f)` is where the baseline starts. */
  transform: readonly number[];
  /** Advance of the whole string along its direction, in page units. */
  width: number;
  /** Font size in page units (0 for the empty items pdf.js inserts at line ends). */
  height: number;
  /** pdf.js saw the end of a line after this item. */
  hasEOL: boolean;
}

/** One line of a page as laid out, before lines are joined into the page's text. */
export interface TextLine {
  text: string;
  /** The vertical gap above this line (or a change of font size) marks the start of a paragraph. */
  paragraphBreakBefore: boolean;
  /** Font size of the line's longest item, in page units (a cue for headings). */
  size?: number;
}

interface Placement {
  /** Unit vector of the writing direction. */
  directionX: number;
  directionY: number;
  /** Start and end of the item along the writing direction. */
  start: number;
  end: number;
  /** Position of the baseline across the writing direction (larger is further up for ordinary text). */
  baseline: number;
  size: number;
}

/** Gaps wider than this share of the font size are word spaces (pdf.js uses the same 0.102 inside items). */
const spaceGapRatio = 0.1;
/** Baselines closer than this share of the font size are on the same line (superscripts stay inline). */
const sameLineRatio = 0.5;
/** A baseline-to-baseline distance above this share of the font size is more than line spacing: a new paragraph. */
const paragraphGapRatio = 1.6;
/** A line whose font size differs from the previous line's by more than this ratio starts a paragraph (headings). */
const paragraphSizeRatio = 1.2;

function place(item: PdfTextItem): Placement {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const scale = Math.hypot(a, b) || 1;
  const directionX = a / scale;
  const directionY = b / scale;
  const start = e * directionX + f * directionY;
  const size = item.height || Math.hypot(c, d) || scale;
  return {
    directionX,
    directionY,
    start,
    end: start + item.width,
    baseline: f * directionX - e * directionY,
    size,
  };
}

function sameDirection(first: Placement, second: Placement): boolean {
  return first.directionX * second.directionX + first.directionY * second.directionY > 0.99;
}

function isSpace(character: string | undefined): boolean {
  return character !== undefined && /\s/u.test(character);
}

interface LaidOutLine {
  text: string;
  /** Baseline distance down from the previous line; null when the writing direction changed. */
  rise: number | null;
  /** Font size of the line's longest item: its body text rather than a superscript or a label. */
  size: number;
}

function startsParagraph(previous: LaidOutLine, line: LaidOutLine): boolean {
  if (line.rise === null) return false;
  const larger = Math.max(previous.size, line.size);
  const smaller = Math.max(Math.min(previous.size, line.size), 1e-6);
  return line.rise > paragraphGapRatio * larger || larger / smaller > paragraphSizeRatio;
}

/**
 * Turns a page's text items (in content-stream order) into lines. Items on the same baseline are joined, with a
 * space where the gap between them is a word gap; a new line starts where pdf.js saw one (`hasEOL`) or the
 * baseline moves; a new paragraph starts after a gap wider than line spacing or at a change of font size.
 */
export function layoutTextItems(items: readonly PdfTextItem[]): TextLine[] {
  const lines: LaidOutLine[] = [];
  let line: LaidOutLine = { text: '', rise: null, size: 0 };
  let longestItem = 0;
  let previous: Placement | null = null;
  let lineBreakPending = false;

  for (const item of items) {
    if (item.str.trim() === '') {
      // Whitespace items carry no reliable position (pdf.js gives line-end markers the next line's origin).
      if (item.str !== '' && line.text !== '' && !isSpace(line.text.at(-1))) line.text += ' ';
      if (item.hasEOL) lineBreakPending = true;
      continue;
    }
    const current = place(item);
    if (previous !== null) {
      const parallel = sameDirection(previous, current);
      const rise = previous.baseline - current.baseline;
      const size = Math.max(previous.size, current.size);
      const sameLine =
        parallel &&
        !lineBreakPending &&
        Math.abs(rise) < sameLineRatio * size &&
        current.start > previous.end - size;
      if (sameLine) {
        const gap = current.start - previous.end;
        const wordGap = gap > spaceGapRatio * Math.min(previous.size, current.size);
        if (wordGap && !isSpace(line.text.at(-1)) && !isSpace(item.str[0])) line.text += ' ';
      } else {
        if (line.text.trim() !== '') lines.push(line);
        line = { text: '', rise: parallel ? rise : null, size: current.size };
        longestItem = 0;
      }
    }
    if (item.str.length > longestItem) {
      line.size = current.size;
      longestItem = item.str.length;
    }
    line.text += item.str;
    previous = current;
    lineBreakPending = item.hasEOL;
  }
  if (line.text.trim() !== '') lines.push(line);

  return lines.map((laidOut, index) => {
    const before = lines[index - 1];
    return {
      text: laidOut.text,
      paragraphBreakBefore: before !== undefined && startsParagraph(before, laidOut),
      size: laidOut.size,
    };
  });
}
