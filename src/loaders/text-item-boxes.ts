import { isWhitespace } from '../text/is-whitespace.ts';
import type { PdfTextItem } from './layout-text-items.ts';

/** The parts of a pdf.js `PageViewport` (at scale 1) that place text on the page as it is displayed. */
export interface PageViewport {
  /** User space to viewport matrix `[a, b, c, d, e, f]` (y down, page rotation applied). */
  transform: readonly number[];
  width: number;
  height: number;
}

/** A box in fractions of the displayed page: origin top-left, y down. */
export interface NormalizedBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Share of the font size above the baseline, when the font does not say (pdf.js's text layer uses 0.8 too). */
export const defaultAscent = 0.8;
/** Share of the font size below the baseline (negative), when the font does not say. */
export const defaultDescent = -0.2;

const clamp = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * Where a text item is drawn on its page: the bounding box of its run from descent to ascent, mapped through the
 * viewport and divided by the page's size. Returns null for items with no extent (or off the page).
 */
export function textItemBox(
  item: PdfTextItem,
  viewport: PageViewport,
  font: { ascent?: number; descent?: number } = {},
): NormalizedBox | null {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const along = Math.hypot(a, b) || 1;
  const across = Math.hypot(c, d) || along;
  const size = item.height || across;
  const ascent = font.ascent !== undefined && font.ascent > 0 ? font.ascent : defaultAscent;
  const descent = font.descent !== undefined && font.descent < 0 ? font.descent : defaultDescent;
  const [ux, uy] = [a / along, b / along];
  const [vx, vy] = [c / across, d / across];
  const [va = 1, vb = 0, vc = 0, vd = 1, ve = 0, vf = 0] = viewport.transform;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const advance of [0, item.width]) {
    for (const rise of [descent * size, ascent * size]) {
      const x = e + ux * advance + vx * rise;
      const y = f + uy * advance + vy * rise;
      xs.push((va * x + vc * y + ve) / viewport.width);
      ys.push((vb * x + vd * y + vf) / viewport.height);
    }
  }
  const left = clamp(Math.min(...xs));
  const top = clamp(Math.min(...ys));
  const right = clamp(Math.max(...xs));
  const bottom = clamp(Math.max(...ys));
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * Finds each run's characters in `text`, in order: the text is the runs' characters with whitespace changed and
 * some characters dropped (control characters, a hyphen rejoined at a line end), never reordered or invented.
 * Returns each run's `[start, end)` in `text` (offset by `offset`), or null for a run none of whose characters
 * made it into the text. Linear in the text and the runs.
 */
export function alignRuns(
  text: string,
  runs: readonly string[],
  offset = 0,
): ({ start: number; end: number } | null)[] {
  let cursor = 0;
  return runs.map((run) => {
    let start = -1;
    let end = -1;
    for (let index = 0; index < run.length; index++) {
      const code = run.charCodeAt(index);
      if (isWhitespace(code)) continue;
      let next = cursor;
      while (next < text.length && isWhitespace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) === code) {
        if (start < 0) start = next;
        cursor = next + 1;
        end = cursor;
      }
      // Otherwise the character was dropped from the text: skip it and keep the cursor where it was.
    }
    return start < 0 ? null : { start: start + offset, end: end + offset };
  });
}
