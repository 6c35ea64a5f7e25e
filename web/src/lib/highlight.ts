/** A piece of passage text, marked when it is a word of the question. */
export interface HighlightSegment {
  text: string;
  match: boolean;
}

// Words too common to be worth marking in a passage.
const stopWords = new Set(
  (
    'a an and are as at be but by can could did do does for from had has have how i if in into is it its ' +
    'me my no not of on or our she he so such than that the their them then there these they this those to ' +
    'us was we were what when where which who whom why will with would you your about also any all more most'
  ).split(' '),
);

const wordPattern = /[\p{L}\p{N}]+/gu;

/** Folds a word so simple inflections meet: lower case, and a plural `s`/`es`/`ies` dropped. */
export function normalizeWord(word: string): string {
  const lower = word.toLocaleLowerCase();
  if (lower.length > 4 && lower.endsWith('ies')) return `${lower.slice(0, -3)}y`;
  if (lower.length > 4 && /(?:ch|sh|x|ss)es$/.test(lower)) return lower.slice(0, -2);
  if (lower.length > 3 && lower.endsWith('s') && !lower.endsWith('ss')) return lower.slice(0, -1);
  return lower;
}

/** The words of a question worth marking in a passage, normalized with {@link normalizeWord}. */
export function questionTerms(question: string): Set<string> {
  const terms = new Set<string>();
  for (const [word] of question.matchAll(wordPattern)) {
    const lower = word.toLocaleLowerCase();
    if (stopWords.has(lower)) continue;
    if (lower.length < 3 && !/\p{N}/u.test(lower)) continue;
    terms.add(normalizeWord(word));
  }
  return terms;
}

/**
 * Splits a passage into plain and matching runs, so the UI can wrap matches in `<mark>` as React nodes
 * (never as HTML). Joining every `text` gives back the passage exactly.
 */
export function splitHighlights(text: string, terms: ReadonlySet<string>): HighlightSegment[] {
  const segments: HighlightSegment[] = [];
  const push = (value: string, match: boolean) => {
    if (value === '') return;
    const previous = segments.at(-1);
    if (previous && previous.match === match && !match) previous.text += value;
    else segments.push({ text: value, match });
  };
  let last = 0;
  if (terms.size > 0) {
    for (const found of text.matchAll(wordPattern)) {
      if (!terms.has(normalizeWord(found[0]))) continue;
      push(text.slice(last, found.index), false);
      push(found[0], true);
      last = found.index + found[0].length;
    }
  }
  push(text.slice(last), false);
  return segments;
}
