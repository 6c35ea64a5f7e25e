import { stemmer as porter } from 'stemmer';
import type { Analyzer } from './analyzer.ts';
import { englishStopWords } from './analyzer.ts';

// Lucene's StandardTokenizer (Unicode word boundaries, UAX #29) for Latin text: letters and digits form a word,
// and a word goes on across `.` `'` `’` between letters (U.S.A, don't), `:` between letters, and `.` `,` `;`
// between digits (3.5, 1,000); `_` joins like a letter. Everything else, hyphens included, separates words.
const wordPattern =
  /[\p{L}\p{N}_\p{M}]+(?:(?:(?<=\p{L})[.'’:](?=\p{L})|(?<=\p{N})[.,;'’](?=\p{N}))[\p{L}\p{N}_\p{M}]+)*/gu;
const possessive = /['’]s$/;

/**
 * The analyzer of a plain Lucene/Anserini BM25 baseline (`DefaultEnglishAnalyzer`): standard tokenizer,
 * English possessive filter, lower case, Lucene's English stop words, then the original Porter stemmer.
 * Kept as the reference point every change is measured against (docs/EVALUATION.md).
 */
export function createPlainAnalyzer(): Analyzer {
  const stems = new Map<string, string>();
  return (text: string): string[] => {
    const terms: string[] = [];
    for (const match of text.matchAll(wordPattern)) {
      const word = match[0].replace(possessive, '').toLowerCase();
      if (word.length === 0 || englishStopWords.has(word)) continue;
      let stemmed = stems.get(word);
      if (stemmed === undefined) {
        stemmed = porter(word);
        if (stems.size >= 200_000) stems.clear();
        stems.set(word, stemmed);
      }
      terms.push(stemmed);
    }
    return terms;
  };
}
