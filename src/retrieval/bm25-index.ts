import { type IndexedScore, TopK } from '../core/top-k.ts';
import { type Analyzer, analyze } from '../text/analyzer.ts';

/** Settings of a {@link Bm25Index}. */
export interface Bm25Options {
  /** Term-frequency saturation. Default 0.9 (Anserini's default, as in its BEIR baselines). */
  k1?: number;
  /** Length normalization. Default 0.4 (Anserini's default). */
  b?: number;
  /** Default: the shared English analyzer. */
  analyzer?: Analyzer;
  /**
   * Round document lengths as Lucene's one-byte norms do (exact below 24 terms, then 4 significant bits), so
   * the plain baseline scores exactly as Lucene/Anserini. Default `false`: exact lengths.
   */
  luceneLengths?: boolean;
}

/** One document's terms with their frequencies, as parallel arrays. */
export interface DocumentTerms {
  terms: string[];
  counts: number[];
  length: number;
}

/** An incremental BM25 index over texts addressed by insertion position; IDF is computed at query time. */
export interface Bm25Index {
  readonly size: number;
  readonly k1: number;
  readonly b: number;
  readonly analyzer: Analyzer;
  /** Mean document length in analyzed terms (1 for an empty index). */
  readonly averageLength: number;
  /** Analyzes and appends texts; the first gets index `size`. */
  add(texts: readonly string[]): void;
  /** The `k` best documents for a query, best first; ties keep insertion order. */
  search(query: string, k: number): IndexedScore[];
  /** Like {@link Bm25Index.search} for already analyzed terms, each with a query weight (e.g. an expanded query). */
  searchTerms(weights: ReadonlyMap<string, number>, k: number): IndexedScore[];
  /**
   * The score no document can reach for these query weights, Σ weight·idf·(k1 + 1): dividing by it puts a
   * BM25 score on a 0..1 scale ("share of the best possible match") for display.
   */
  scoreBound(weights: ReadonlyMap<string, number>): number;
  /** The analyzed query as term → weight (a repeated term counts once per occurrence, as in Lucene). */
  queryWeights(query: string): Map<string, number>;
  /** How many documents contain `term` (an analyzed term). */
  documentFrequency(term: string): number;
  /** The analyzed terms of document `index`, for pseudo-relevance feedback. */
  documentTerms(index: number): DocumentTerms;
}

/** A growable list of 32-bit integers. */
interface IntList {
  values: Int32Array;
  length: number;
}

function newIntList(capacity: number): IntList {
  return { values: new Int32Array(capacity), length: 0 };
}

function pushInt(list: IntList, value: number): void {
  if (list.length === list.values.length) {
    const grown = new Int32Array(list.values.length * 2);
    grown.set(list.values);
    list.values = grown;
  }
  list.values[list.length++] = value;
}

/** A length as Lucene stores it in a one-byte norm (`SmallFloat.intToByte4`, then `byte4ToInt`). */
export function luceneNormLength(length: number): number {
  // Lucene keeps 0..23 exactly; above, it stores 24 + a 4-bit float of (length − 24), rounded down.
  const free = 24;
  if (length < free) return length;
  const value = length - free;
  const bits = 32 - Math.clz32(value);
  if (bits < 4) return length;
  const shift = bits - 4;
  return free + (((value >>> shift) & 0x07) | 0x08) * 2 ** shift;
}

/** Creates an empty BM25 index with Lucene's formula: idf = ln(1 + (N − df + 0.5) / (df + 0.5)). */
export function createBm25Index(options: Bm25Options = {}): Bm25Index {
  const k1 = options.k1 ?? 0.9;
  const b = options.b ?? 0.4;
  const analyzer = options.analyzer ?? analyze;
  const storedLength = options.luceneLengths ? luceneNormLength : (length: number) => length;

  const termIds = new Map<string, number>();
  const termNames: string[] = [];
  const postingDocs: IntList[] = [];
  const postingCounts: IntList[] = [];
  const documentLengths = newIntList(1024);
  // Forward index (document → terms) in one flat list: document d owns [termStarts[d], termStarts[d + 1]).
  const termStarts = newIntList(1024);
  pushInt(termStarts, 0);
  const forwardTerms = newIntList(16384);
  const forwardCounts = newIntList(16384);
  let totalLength = 0;

  // Per-query scratch, reused so a search allocates only its result.
  let scores = new Float64Array(0);
  let touchedFlags = new Uint8Array(0);
  let touched = new Int32Array(0);
  // Length normalization per document, k1·(1 − b + b·len/avgdl), valid while the index size is unchanged.
  let norms = new Float64Array(0);
  let normsSize = -1;

  const size = (): number => documentLengths.length;

  // Counting scratch for one document: counts by term id, and the distinct ids in first-seen order.
  let termCounts = new Int32Array(1024);
  const distinct = newIntList(256);

  const add = (texts: readonly string[]): void => {
    for (const text of texts) {
      const document = size();
      const terms = analyzer(text);
      distinct.length = 0;
      for (const term of terms) {
        let id = termIds.get(term);
        if (id === undefined) {
          id = termNames.length;
          termIds.set(term, id);
          termNames.push(term);
          postingDocs.push(newIntList(2));
          postingCounts.push(newIntList(2));
          if (id >= termCounts.length) {
            const grown = new Int32Array(termCounts.length * 2);
            grown.set(termCounts);
            termCounts = grown;
          }
        }
        if (termCounts[id] === 0) pushInt(distinct, id);
        termCounts[id] = (termCounts[id] as number) + 1;
      }
      for (let i = 0; i < distinct.length; i++) {
        const id = distinct.values[i] as number;
        const count = termCounts[id] as number;
        termCounts[id] = 0;
        pushInt(postingDocs[id] as IntList, document);
        pushInt(postingCounts[id] as IntList, count);
        pushInt(forwardTerms, id);
        pushInt(forwardCounts, count);
      }
      pushInt(termStarts, forwardTerms.length);
      pushInt(documentLengths, terms.length);
      totalLength += terms.length;
    }
  };

  const prepare = (): void => {
    const n = size();
    if (normsSize === n) return;
    if (scores.length < n) {
      const capacity = Math.max(n, scores.length * 2);
      scores = new Float64Array(capacity);
      touchedFlags = new Uint8Array(capacity);
      touched = new Int32Array(capacity);
      norms = new Float64Array(capacity);
    }
    const averageLength = n === 0 ? 1 : totalLength / n || 1;
    const lengths = documentLengths.values;
    for (let d = 0; d < n; d++)
      norms[d] = k1 * (1 - b + (b * storedLength(lengths[d] as number)) / averageLength);
    normsSize = n;
  };

  const searchIds = (weights: ReadonlyMap<number, number>, k: number): IndexedScore[] => {
    prepare();
    const n = size();
    let touchedCount = 0;
    for (const [id, weight] of weights) {
      const docs = postingDocs[id] as IntList;
      const counts = postingCounts[id] as IntList;
      const df = docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const factor = weight * idf * (k1 + 1);
      const docValues = docs.values;
      const countValues = counts.values;
      for (let p = 0; p < df; p++) {
        const d = docValues[p] as number;
        const tf = countValues[p] as number;
        if (touchedFlags[d] === 0) {
          touchedFlags[d] = 1;
          touched[touchedCount++] = d;
        }
        scores[d] = (scores[d] as number) + (factor * tf) / (tf + (norms[d] as number));
      }
    }
    const best = new TopK(Math.min(Math.max(0, Math.floor(k)), touchedCount));
    for (let i = 0; i < touchedCount; i++) {
      const d = touched[i] as number;
      best.offer(scores[d] as number, d);
    }
    const hits = best.sorted();
    for (let i = 0; i < touchedCount; i++) {
      const d = touched[i] as number;
      scores[d] = 0;
      touchedFlags[d] = 0;
    }
    return hits;
  };

  const searchTerms = (weights: ReadonlyMap<string, number>, k: number): IndexedScore[] => {
    const ids = new Map<number, number>();
    for (const [term, weight] of weights) {
      const id = termIds.get(term);
      if (id !== undefined && weight > 0) ids.set(id, (ids.get(id) ?? 0) + weight);
    }
    return searchIds(ids, k);
  };

  const queryWeights = (query: string): Map<string, number> => {
    const weights = new Map<string, number>();
    for (const term of analyzer(query)) weights.set(term, (weights.get(term) ?? 0) + 1);
    return weights;
  };

  const scoreBound = (weights: ReadonlyMap<string, number>): number => {
    const n = size();
    let bound = 0;
    for (const [term, weight] of weights) {
      const id = termIds.get(term);
      if (id === undefined || !(weight > 0)) continue;
      const df = (postingDocs[id] as IntList).length;
      bound += weight * Math.log(1 + (n - df + 0.5) / (df + 0.5)) * (k1 + 1);
    }
    return bound;
  };

  const documentTerms = (index: number): DocumentTerms => {
    if (!Number.isInteger(index) || index < 0 || index >= size())
      throw new RangeError(`No document ${index} in an index of ${size()}.`);
    const start = termStarts.values[index] as number;
    const end = termStarts.values[index + 1] as number;
    const terms: string[] = [];
    const counts: number[] = [];
    for (let i = start; i < end; i++) {
      terms.push(termNames[forwardTerms.values[i] as number] as string);
      counts.push(forwardCounts.values[i] as number);
    }
    return { terms, counts, length: documentLengths.values[index] as number };
  };

  return {
    get size() {
      return size();
    },
    k1,
    b,
    analyzer,
    get averageLength() {
      return size() === 0 ? 1 : totalLength / size() || 1;
    },
    add,
    search: (query, k) => searchTerms(queryWeights(query), k),
    searchTerms,
    scoreBound,
    queryWeights,
    documentFrequency: (term) => {
      const id = termIds.get(term);
      return id === undefined ? 0 : (postingDocs[id] as IntList).length;
    },
    documentTerms,
  };
}
