/** A sentence as a span of a larger text. */
export interface SentenceSpan {
  start: number;
  end: number;
}

// Abbreviations after which a period does not end a sentence.
const abbreviations = new Set([
  'al',
  'e.g',
  'i.e',
  'etc',
  'vs',
  'fig',
  'figs',
  'eq',
  'eqs',
  'sec',
  'no',
  'dr',
  'mr',
  'mrs',
  'ms',
  'prof',
  'approx',
  'cf',
  'resp',
  'tab',
]);

/**
 * Splits text into sentences at `.`, `!`, `?` (followed by whitespace and an upper-case letter, digit, quote or
 * bracket) and at blank lines, skipping common abbreviations and decimals. A short line without closing
 * punctuation followed by a capitalized line (a heading, a PDF title line) also ends a sentence, and so does
 * the start of a list item. Spans exclude
 * surrounding whitespace.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s] ?? '')) s++;
    while (e > s && /\s/.test(text[e - 1] ?? '')) e--;
    if (e > s) spans.push({ start: s, end: e });
  };
  const boundary =
    /([.!?])["')\]]*\s+(?=["'([]?[\p{Lu}\p{N}])|\n\s*\n|\n(?=[ \t]*(?:[-*+•]|\d{1,2}[.)])[ \t])|(\n)(?=\p{Lu})/gu;
  for (const match of text.matchAll(boundary)) {
    const index = match.index;
    if (match[2] !== undefined) {
      const lineStart = text.lastIndexOf('\n', index - 1) + 1;
      const line = text.slice(lineStart, index).trim();
      if (line.length === 0 || line.length > 70 || /[.,;:!?(\-–—]$/.test(line)) continue;
    }
    if (match[1] === '.') {
      const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, index - 12), index))?.[1]?.toLowerCase() ?? '';
      if (
        abbreviations.has(word) ||
        (/^\p{Lu}$/u.test(text[index - 1] ?? '') && !/\p{L}/u.test(text[index - 2] ?? ''))
      )
        continue;
    }
    const end = index + match[0].length;
    push(end);
    start = end;
  }
  push(text.length);
  return spans;
}
