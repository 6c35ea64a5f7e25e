import type { Heading, PageSpan } from '../core/types.ts';
import type { TextLine } from './layout-text-items.ts';

/** One entry of a PDF's outline (bookmarks) as pdf.js gives it, with the page it points to resolved. */
export interface OutlineEntry {
  title: string;
  /** 1-based page, or null when the destination could not be resolved. */
  page: number | null;
  items: OutlineEntry[];
}

/** Lines at least this much larger than the body text are headings (when the PDF has no outline). */
const headingSizeRatio = 1.15;
/** A heading is a short line: longer ones are body text set large (a pull quote, a title page blurb). */
const maxHeadingLength = 120;
/** At most this many heading levels are told apart by size. */
const maxLevels = 4;

const squash = (text: string): string => text.replace(/\s+/gu, ' ').trim();

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
const headingLinePrefix = /^[ \t]*(?:(?:\d{1,3}|[A-Z])(?:\.\d{1,3})*\.?[ \t]+)?$/u;

/**
 * Where `title` appears in the page's text at or after `from` (case- and whitespace-insensitively), or null.
 * An occurrence set as a heading (first on its line, after at most a section number) beats one in prose.
 */
function findOnPage(
  text: string,
  span: PageSpan,
  title: string,
  from: number,
): { start: number; end: number } | null {
  const words = squash(title)
    .split(' ')
    .filter((word) => word !== '');
  if (words.length === 0) return null;
  const pattern = new RegExp(words.map(escapeRegExp).join('\\s+'), 'giu');
  const origin = Math.max(from, span.start);
  const page = text.slice(span.start, span.end);
  pattern.lastIndex = origin - span.start;
  let first: { start: number; end: number } | null = null;
  for (let match = pattern.exec(page); match !== null; match = pattern.exec(page)) {
    const start = match.index;
    const found = { start: span.start + start, end: span.start + start + match[0].length };
    first ??= found;
    const lineStart = page.lastIndexOf('\n', start - 1) + 1;
    if (headingLinePrefix.test(page.slice(lineStart, start))) return found;
  }
  return first;
}

/** A section number just before a title on its line: "2.2.4. " or "A.1 " (outlines often leave it out). */
const sectionNumberBefore = /(?:^|\n)[ \t]*((?:\d{1,3}|[A-Z])(?:\.\d{1,3})*)\.?[ \t]+$/u;

/** The heading with the section number the text puts before its title, when there is one. */
function withSectionNumber(
  text: string,
  span: PageSpan,
  title: string,
  found: { start: number; end: number },
): Heading & { level: 0 } {
  const before = text.slice(Math.max(span.start, found.start - 16), found.start);
  const match = sectionNumberBefore.exec(before);
  const number = match?.[1];
  if (match === null || number === undefined || title.startsWith(number))
    return { level: 0, text: title, ...found };
  const numberStart = found.start - before.length + match.index + match[0].indexOf(number);
  return { level: 0, text: `${number} ${title}`, start: numberStart, end: found.end };
}

/**
 * Headings from a PDF's outline: each entry's title where it appears on the page it points to (or the next
 * page: destinations often point just above a heading at a page's foot), with the section number the text
 * gives it; at the top of that page when the title is not found. Nested by outline depth, in text order.
 */
export function headingsFromOutline(
  outline: readonly OutlineEntry[],
  text: string,
  pages: readonly PageSpan[],
): Heading[] {
  const headings: Heading[] = [];
  // Entries come in reading order: each is looked for after the one before, not inside its title.
  let cursor = 0;
  const visit = (entries: readonly OutlineEntry[], level: number) => {
    for (const entry of entries) {
      const span = entry.page === null ? undefined : pages[entry.page - 1];
      const title = squash(entry.title);
      if (span !== undefined && title !== '') {
        const next = pages[span.page];
        let found = findOnPage(text, span, title, Math.max(span.start, cursor));
        let foundOn = span;
        if (found === null && next !== undefined) {
          found = findOnPage(text, next, title, Math.max(next.start, cursor));
          foundOn = next;
        }
        if (found === null) {
          headings.push({ level, text: title, start: span.start, end: span.start });
        } else {
          headings.push({ ...withSectionNumber(text, foundOn, title, found), level });
          cursor = found.end;
        }
      }
      visit(entry.items, level + 1);
    }
  };
  visit(outline, 1);
  return headings.sort((first, second) => first.start - second.start);
}

/**
 * Headings from layout when a PDF has no outline: short lines set clearly larger than the body text (the size
 * most characters are set in), their level by size (the largest is 1), found in the pages' text in order.
 */
export function headingsFromLayout(
  lines: readonly (readonly TextLine[])[],
  text: string,
  pages: readonly PageSpan[],
): Heading[] {
  const characters = new Map<number, number>();
  for (const page of lines) {
    for (const line of page) {
      const size = Math.round((line.size ?? 0) * 10) / 10;
      characters.set(size, (characters.get(size) ?? 0) + line.text.length);
    }
  }
  let body = 0;
  let most = -1;
  for (const [size, count] of characters) {
    if (count > most) [body, most] = [size, count];
  }
  if (body <= 0) return [];
  const isHeading = (line: TextLine) => {
    const trimmed = squash(line.text);
    return (
      (line.size ?? 0) >= body * headingSizeRatio &&
      trimmed.length <= maxHeadingLength &&
      /\p{L}{2}/u.test(trimmed)
    );
  };
  const sizes = [
    ...new Set(
      lines
        .flat()
        .filter(isHeading)
        .map((line) => Math.round((line.size ?? 0) * 10) / 10),
    ),
  ]
    .sort((a, b) => b - a)
    .slice(0, maxLevels);
  const headings: Heading[] = [];
  lines.forEach((pageLines, index) => {
    const span = pages[index];
    if (span === undefined) return;
    let cursor = span.start;
    for (const line of pageLines) {
      if (!isHeading(line)) continue;
      const level = sizes.indexOf(Math.round((line.size ?? 0) * 10) / 10) + 1;
      const found = findOnPage(text, span, line.text, cursor);
      if (level === 0 || found === null) continue;
      // Consecutive heading lines of one size are one heading set on two lines.
      const previous = headings.at(-1);
      if (
        previous !== undefined &&
        previous.level === level &&
        /^\s*$/u.test(text.slice(previous.end, found.start)) &&
        !text.slice(previous.end, found.start).includes('\n\n')
      ) {
        previous.text = `${previous.text} ${squash(line.text)}`;
        previous.end = found.end;
      } else {
        headings.push({ level, text: squash(line.text), ...found });
      }
      cursor = found.end;
    }
  });
  return headings;
}
