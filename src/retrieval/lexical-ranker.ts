import type { IndexedScore } from '../core/top-k.ts';
import type { Chunk } from '../core/types.ts';
import { type Bm25Options, createBm25Index } from './bm25-index.ts';

/**
 * What a {@link LexicalRanker} adds on top of BM25. Each part is off at 0 / `null`; the defaults are the
 * settings measured in docs/EVALUATION.md on one half of every evaluation set and checked on the other half.
 */
export interface LexicalRanking {
  /** BM25 term-frequency saturation (unless the index's `bm25` options set it). */
  k1: number;
  /** BM25 length normalization (unless the index's `bm25` options set it). */
  b: number;
  /**
   * How many times a chunk's header (document title and section path, see {@link LexicalRankerOptions.header})
   * counts beside its text: BM25F with an integer field weight and one length normalization. 0: not indexed.
   */
  headerWeight: number;
  /**
   * Weight of the term-proximity score (BM25TP, Rasolofo & Savoy 2003): every pair of different query terms
   * at most {@link LexicalRanking.proximityWindow} terms apart adds 1/distance² to both terms, and each term's
   * sum is saturated and IDF-weighted like a term frequency. 0: off.
   */
  proximity: number;
  /** The largest distance, in analyzed terms, at which two query terms still count as near. */
  proximityWindow: number;
  /** Weight of the mean BM25 score of a chunk's two neighbours (same document, adjacent), added to its own. */
  neighbours: number;
  /** RM3 pseudo-relevance feedback (Lavrenko & Croft; Anserini's formulation), or `null` for none. */
  feedback: { documents: number; terms: number; originalWeight: number } | null;
  /** How many BM25 results proximity and neighbour scores re-rank (at least the `k` asked for). */
  rerankDepth: number;
  /**
   * Drop the words that make a sentence a question (what, which, how, did, ...; {@link questionWords}) from
   * the query, unless nothing else is left: they carry no topic, yet match the few passages that use them.
   */
  dropQuestionWords: boolean;
}

/** Interrogatives and auxiliaries: the words of a question's frame, not of its topic. */
export const questionWords: readonly string[] = [
  'what',
  'which',
  'who',
  'whom',
  'whose',
  'when',
  'where',
  'why',
  'how',
  'do',
  'does',
  'did',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'has',
  'have',
  'had',
  'can',
  'could',
  'would',
  'should',
  'may',
  'might',
  'will',
  'shall',
  'must',
];

/** BM25 alone: the ranking of the plain baseline. */
export const plainRanking: LexicalRanking = {
  k1: 0.9,
  b: 0.4,
  headerWeight: 1,
  proximity: 0,
  proximityWindow: 5,
  neighbours: 0,
  feedback: null,
  rerankDepth: 100,
  dropQuestionWords: false,
};

/** The default ranking of docchat's lexical retriever (docs/EVALUATION.md). */
export const defaultRanking: LexicalRanking = {
  ...plainRanking,
  k1: 1.5,
  b: 0.75,
  proximity: 0.25,
  dropQuestionWords: true,
};

/** Options of {@link createLexicalRanker}. */
export interface LexicalRankerOptions {
  bm25?: Bm25Options;
  /** `'plain'` for BM25 alone; otherwise overrides of {@link defaultRanking}. */
  ranking?: 'plain' | Partial<LexicalRanking>;
  /** The contextual header indexed with a chunk (title, section path); none by default. */
  header?: (chunk: Chunk) => string;
}

/** A BM25 index over chunks with the re-ranking of {@link LexicalRanking}; scores are on a 0..1 scale. */
export interface LexicalRanker {
  readonly ranking: LexicalRanking;
  add(chunks: readonly Chunk[]): void;
  /** The best `k` chunk positions for a query, best first; score 1 would be the best possible match. */
  rank(query: string, k: number): IndexedScore[];
}

/** Creates an empty {@link LexicalRanker}. */
export function createLexicalRanker(options: LexicalRankerOptions = {}): LexicalRanker {
  const ranking: LexicalRanking =
    options.ranking === 'plain' ? plainRanking : { ...defaultRanking, ...options.ranking };
  const bm25 = createBm25Index({ k1: ranking.k1, b: ranking.b, ...options.bm25 });
  const { k1 } = bm25;
  const header = options.header;
  const documentIds: string[] = [];
  // Analyzed text of each chunk, kept only when proximity needs positions.
  const termLists: string[][] = [];
  const texts: string[] = [];

  const indexedText = (chunk: Chunk): string => {
    const title = header && ranking.headerWeight > 0 ? header(chunk).trim() : '';
    if (title.length === 0) return chunk.text;
    return `${`${title}\n`.repeat(ranking.headerWeight)}${chunk.text}`;
  };

  const add = (chunks: readonly Chunk[]): void => {
    const batch = chunks.map(indexedText);
    bm25.add(batch);
    for (let i = 0; i < chunks.length; i++) {
      documentIds.push((chunks[i] as Chunk).documentId);
      texts.push(batch[i] as string);
    }
  };

  const termsOf = (index: number): string[] => {
    let terms = termLists[index];
    if (!terms) {
      terms = bm25.analyzer(texts[index] as string);
      termLists[index] = terms;
    }
    return terms;
  };

  const idf = (term: string): number => {
    const n = bm25.size;
    const df = bm25.documentFrequency(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };

  /** RM3: the query's weights mixed with the weighted terms of the top documents. */
  const expand = (weights: Map<string, number>): Map<string, number> => {
    const feedback = ranking.feedback;
    if (!feedback) return weights;
    const top = bm25.searchTerms(weights, feedback.documents);
    if (top.length === 0) return weights;
    const scoreSum = top.reduce((sum, hit) => sum + hit.score, 0) || 1;
    const relevance = new Map<string, number>();
    for (const hit of top) {
      const { terms, counts, length } = bm25.documentTerms(hit.index);
      for (let i = 0; i < terms.length; i++) {
        const term = terms[i] as string;
        const value = ((counts[i] as number) / (length || 1)) * (hit.score / scoreSum);
        relevance.set(term, (relevance.get(term) ?? 0) + value);
      }
    }
    const best = [...relevance].sort((a, b) => b[1] - a[1]).slice(0, feedback.terms);
    const bestSum = best.reduce((sum, [, value]) => sum + value, 0) || 1;
    const querySum = [...weights.values()].reduce((sum, value) => sum + value, 0) || 1;
    const mixed = new Map<string, number>();
    for (const [term, value] of weights) mixed.set(term, (feedback.originalWeight * value) / querySum);
    for (const [term, value] of best)
      mixed.set(term, (mixed.get(term) ?? 0) + ((1 - feedback.originalWeight) * value) / bestSum);
    return mixed;
  };

  /** BM25TP's proximity score of one chunk for the query terms (unweighted by the query's weights). */
  const proximityScore = (index: number, termIdf: ReadonlyMap<string, number>, norm: number): number => {
    const terms = termsOf(index);
    const window = ranking.proximityWindow;
    const lastSeen = new Map<string, number>();
    const accumulated = new Map<string, number>();
    for (let position = 0; position < terms.length; position++) {
      const term = terms[position] as string;
      if (!termIdf.has(term)) continue;
      for (const [other, seen] of lastSeen) {
        const distance = position - seen;
        if (other === term || distance > window) continue;
        const closeness = 1 / (distance * distance);
        accumulated.set(term, (accumulated.get(term) ?? 0) + closeness);
        accumulated.set(other, (accumulated.get(other) ?? 0) + closeness);
      }
      lastSeen.set(term, position);
    }
    let score = 0;
    for (const [term, value] of accumulated)
      score += ((termIdf.get(term) as number) * (k1 + 1) * value) / (value + norm);
    return score;
  };

  const frameTerms = new Set(questionWords.flatMap((word) => bm25.analyzer(word)));
  const queryWeights = (query: string): Map<string, number> => {
    const weights = bm25.queryWeights(query);
    if (!ranking.dropQuestionWords) return weights;
    const topical = new Map([...weights].filter(([term]) => !frameTerms.has(term)));
    return topical.size > 0 ? topical : weights;
  };

  const rank = (query: string, k: number): IndexedScore[] => {
    if (k <= 0 || bm25.size === 0) return [];
    const weights = expand(queryWeights(query));
    const bound = bm25.scoreBound(weights);
    if (!(bound > 0)) return [];
    const reranks = ranking.proximity > 0 || ranking.neighbours > 0;
    if (!reranks)
      return bm25.searchTerms(weights, k).map((hit) => ({ index: hit.index, score: hit.score / bound }));

    // Neighbours need every chunk's score; proximity re-ranks the top of the BM25 list.
    const all = bm25.searchTerms(
      weights,
      ranking.neighbours > 0 ? bm25.size : Math.max(k, ranking.rerankDepth),
    );
    const scores = new Map<number, number>();
    for (const hit of all) scores.set(hit.index, hit.score);
    let candidates = all;
    const combined = new Map<number, number>();
    if (ranking.neighbours > 0) {
      for (const hit of all) {
        const neighbourScore = (offset: number): number => {
          const other = hit.index + offset;
          return documentIds[other] === documentIds[hit.index] ? (scores.get(other) ?? 0) : 0;
        };
        combined.set(
          hit.index,
          hit.score + (ranking.neighbours * (neighbourScore(-1) + neighbourScore(1))) / 2,
        );
      }
      candidates = [...all].sort(
        (a, b) => (combined.get(b.index) as number) - (combined.get(a.index) as number) || a.index - b.index,
      );
    } else for (const hit of all) combined.set(hit.index, hit.score);
    candidates = candidates.slice(0, Math.max(k, ranking.rerankDepth));

    if (ranking.proximity > 0 && weights.size > 1) {
      const termIdf = new Map<string, number>();
      for (const term of weights.keys()) termIdf.set(term, idf(term));
      const averageLength = bm25.averageLength;
      for (const hit of candidates) {
        const length = termsOf(hit.index).length;
        const norm = k1 * (1 - bm25.b + (bm25.b * length) / averageLength);
        combined.set(
          hit.index,
          (combined.get(hit.index) as number) + ranking.proximity * proximityScore(hit.index, termIdf, norm),
        );
      }
    }
    const maximum = bound * (1 + ranking.neighbours) * (1 + ranking.proximity);
    return candidates
      .map((hit) => ({ index: hit.index, score: (combined.get(hit.index) as number) / maximum }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, k);
  };

  return { ranking, add, rank };
}
