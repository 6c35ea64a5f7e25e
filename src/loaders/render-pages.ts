import type { TextLine } from './layout-text-items.ts';

const hyphens = new Set(['-', '\u2010', '\u00ad']);
const wordCharacter = /^[\p{L}\p{N}]$/u;
const wordAtStart = /^[\p{L}\p{N}]+/u;
const word = /\p{L}+/gu;

/** Control characters (PDFs emit them for unmapped glyphs) and non-characters carry no text. */
const controlCharacters = /[^\P{Cc}\s]|[\ufffe\uffff]/gu;

function cleanLine(text: string): string {
  return text.replace(controlCharacters, '').replace(/\s+/gu, ' ').trim();
}

/**
 * Joins `next` onto `text`, which ends a line with a hyphen, when that is safe: a soft hyphen always goes; a
 * hyphen between two lower-case fragments goes when the document uses the joined word elsewhere
 * ("super-" + "vised" → "supervised"); otherwise the hyphen stays and only the line break goes ("self-" +
 * "consistency" → "self-consistency", "DeepSeek-" + "R1" → "DeepSeek-R1"). Returns null to keep the break.
 */
function joinHyphenated(text: string, next: string, vocabulary: ReadonlySet<string>): string | null {
  const hyphen = text.at(-1);
  if (hyphen === undefined || !hyphens.has(hyphen)) return null;
  // Scanned backwards by hand: an end-anchored regex would rescan the whole (growing) line each time.
  let fragmentStart = text.length - 1;
  while (fragmentStart > 0 && wordCharacter.test(text[fragmentStart - 1] ?? '')) fragmentStart--;
  const before = text.slice(fragmentStart, -1);
  const start = wordAtStart.exec(next);
  if (before === '' || !start) return null;
  const after = start[0];
  if (hyphen === '\u00ad') return text.slice(0, -1) + next;
  const lowerCaseSplit = /\p{Ll}$/u.test(before) && /^\p{Ll}/u.test(after);
  if (lowerCaseSplit && vocabulary.has((before + after).toLowerCase())) return text.slice(0, -1) + next;
  return text + next;
}

/**
 * Renders each page's lines into its text: lines joined with `\n`, paragraphs with `\n\n`, whitespace runs
 * collapsed to one space, control characters dropped, and words hyphenated across lines rejoined where safe
 * (judged against the vocabulary of the whole document, hence all pages at once).
 */
export function renderPages(pages: readonly (readonly TextLine[])[]): string[] {
  const cleaned = pages.map((lines) =>
    lines
      .map((line) => ({ text: cleanLine(line.text), paragraphBreakBefore: line.paragraphBreakBefore }))
      .filter((line) => line.text !== ''),
  );
  const vocabulary = new Set<string>();
  for (const lines of cleaned) {
    for (const line of lines)
      for (const match of line.text.matchAll(word)) vocabulary.add(match[0].toLowerCase());
  }
  return cleaned.map((lines) => {
    // Built line by line so that the hyphen check only ever looks at the current line, not the whole page.
    const parts: string[] = [];
    let current = '';
    for (const line of lines) {
      if (current === '') {
        current = line.text;
        continue;
      }
      const joined = line.paragraphBreakBefore ? null : joinHyphenated(current, line.text, vocabulary);
      if (joined !== null) {
        current = joined;
      } else {
        parts.push(current, line.paragraphBreakBefore ? '\n\n' : '\n');
        current = line.text;
      }
    }
    parts.push(current);
    return parts.join('');
  });
}
