import { stem as porter2 } from 'stemr';

/** Turns text into index terms, in text order (repeats kept: term frequency matters). */
export type Analyzer = (text: string) => string[];

/** Knobs of {@link createAnalyzer}; the defaults are the ones measured in docs/EVALUATION.md. */
export interface AnalyzerOptions {
  /** Stemmer for words without digits; `false` keeps surface forms. Default: Snowball English (Porter2). */
  stem?: ((word: string) => string) | false;
  /** Words dropped before stemming. Default {@link englishStopWords} (Lucene's English set). */
  stopWords?: ReadonlySet<string>;
  /** Spell Greek letters out (α → alpha). Default `true`. */
  spellGreek?: boolean;
  /**
   * For a compound such as `IL-6`, `TNF-α` or `CD4/CD8`, also index the parts joined (`il6`) beside the parts
   * (`il`, `6`), so spellings with and without the hyphen meet. Default `true`.
   */
  joinCompounds?: boolean;
}

/** Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`, the list Anserini's BM25 baselines use. */
export const englishStopWords: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with',
]);

// Scientific text writes Greek letters where queries often spell them out (TNF-α / TNF-alpha). The
// letter mu is left alone: after NFKC it is mostly the micro sign of a unit (µg).
const greekNames: Readonly<Record<string, string>> = {
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  δ: 'delta',
  ε: 'epsilon',
  ζ: 'zeta',
  η: 'eta',
  θ: 'theta',
  ι: 'iota',
  κ: 'kappa',
  λ: 'lambda',
  ν: 'nu',
  ξ: 'xi',
  ο: 'omicron',
  π: 'pi',
  ρ: 'rho',
  σ: 'sigma',
  ς: 'sigma',
  τ: 'tau',
  υ: 'upsilon',
  φ: 'phi',
  χ: 'chi',
  ψ: 'psi',
  ω: 'omega',
};
const greekPattern = /[α-ω]/g;

// A word, or a compound of words joined by - / . , _ + or an apostrophe (IL-6, 1,000, 3.5, CD4+, patient's).
const tokenPattern = /[\p{L}\p{N}]+(?:[-/.,_+'’][\p{L}\p{N}]+)*/gu;
const thousandsNumber = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const decimalNumber = /^\d+\.\d+$/;
const separator = /[-/.,_+]/;
const hasDigit = /\d/;
const combiningMarks = /\p{M}/gu;
const apostrophes = /['’]/g;
// Every code unit is ASCII, so NFKC and diacritic stripping cannot change the text.
const nonAscii = /[^\p{ASCII}]/u;

const stemCacheLimit = 200_000;

/** Builds an English analyzer: NFKC, no diacritics, lower case, compounds split (and joined), stop words, Porter2. */
export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const stemmer = options.stem ?? porter2;
  const spellGreek = options.spellGreek ?? true;
  const stopWords = options.stopWords ?? englishStopWords;
  const joinCompounds = options.joinCompounds ?? true;
  // Stemming dominates analysis time and vocabularies are Zipfian, so a bounded memo pays off.
  const stems = new Map<string, string>();

  const stemWord = (word: string): string => {
    if (stemmer === false || hasDigit.test(word)) return word;
    let stemmed = stems.get(word);
    if (stemmed === undefined) {
      stemmed = stemmer(word);
      if (stems.size >= stemCacheLimit) stems.clear();
      stems.set(word, stemmed);
    }
    return stemmed;
  };

  const pushWord = (terms: string[], word: string): void => {
    if (word.length === 0 || stopWords.has(word)) return;
    terms.push(stemWord(word));
  };

  return (text: string): string[] => {
    const normalized = normalizeText(text, spellGreek);
    const terms: string[] = [];
    for (const match of normalized.matchAll(tokenPattern)) {
      let token = match[0];
      // Possessives: "patient's" and "patients'" are the patient(s).
      if (token.endsWith("'s") || token.endsWith('’s')) token = token.slice(0, -2);
      if (token.includes("'") || token.includes('’')) token = token.replace(apostrophes, '');
      if (!separator.test(token)) {
        pushWord(terms, token);
        continue;
      }
      if (thousandsNumber.test(token)) {
        terms.push(token.replaceAll(',', ''));
        continue;
      }
      if (decimalNumber.test(token)) {
        terms.push(token);
        continue;
      }
      const parts = token.split(separator).filter((part) => part.length > 0);
      for (const part of parts) pushWord(terms, part);
      if (joinCompounds && parts.length > 1) {
        const joined = parts.join('');
        terms.push(stemWord(joined));
      }
    }
    return terms;
  };
}

/** NFKC, diacritics removed, lower case, Greek letters spelled out: the form every term is drawn from. */
export function normalizeText(text: string, spellGreek = true): string {
  // ASCII is already in every normal form and has no diacritics or Greek: skip the two normalization passes.
  if (!nonAscii.test(text)) return text.toLowerCase();
  const folded = text.normalize('NFKD').replace(combiningMarks, '').normalize('NFKC').toLowerCase();
  return spellGreek ? folded.replace(greekPattern, (letter) => greekNames[letter] ?? letter) : folded;
}

/** The default English analyzer, shared so its stem memo is warm across indexes. */
export const analyze: Analyzer = createAnalyzer();
