import { DocchatError } from '../core/errors.ts';
import { type Analyzer, analyze } from '../text/analyzer.ts';
import type { Embedder } from './embedder.ts';

/** Options of {@link createLocalEmbedder}. */
export interface LocalEmbedderOptions {
  /** Vector length. Default 384. More dimensions mean fewer hash collisions and more memory. */
  dimensions?: number;
  /** Shortest and longest character n-gram taken from each term (with `<`/`>` word boundaries). Default 3..5. */
  ngramRange?: readonly [number, number];
  /** Share of a term's weight given to its character n-grams (the rest goes to the whole term). Default 0.5. */
  ngramWeight?: number;
  /** Default: the shared English analyzer (so "cells"/"cell" and "IL-6"/"IL6" already meet). */
  analyzer?: Analyzer;
}

const featureCacheLimit = 100_000;

/** Every local embedder's name starts with this, so callers can tell its lexical-only vectors from a model's. */
export const localEmbedderNamePrefix = 'local-hash-';

/** 32-bit FNV-1a over `text` from `start` to `end`, continuing from `hash`. */
function fnv1a(text: string, start: number, end: number, hash: number): number {
  let h = hash;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const fnvOffset = 0x811c9dc5;
// Separate hash seeds, so a whole word and an n-gram spelling the same characters land in different buckets.
const wordSeed = fnv1a('w:', 0, 2, fnvOffset);
const ngramSeed = fnv1a('n:', 0, 2, fnvOffset);

/**
 * The offline default embedder: no weights, no network, deterministic. It is NOT a semantic model. Each text is
 * analyzed into stemmed terms (as the BM25 index does); every term and its character n-grams are hashed with
 * a sign into `dimensions` buckets (the "hashing trick"), weighted by sublinear term frequency (1 + ln tf), and
 * the vector is L2-normalized. Cosine similarity therefore measures shared words and shared word pieces
 * (`immunotherapy` ~ `immunotherapies`, `cardiomyocyte` ~ `cardiomyocytes`), never synonyms or paraphrase.
 */
export function createLocalEmbedder(options: LocalEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 384;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 65_536)
    throw new DocchatError(
      'invalid_request',
      `The local embedder's dimensions must be an integer from 1 to 65536; got ${String(dimensions)}.`,
    );
  const [minGram, maxGram] = options.ngramRange ?? [3, 5];
  if (!Number.isInteger(minGram) || !Number.isInteger(maxGram) || minGram < 1 || maxGram < minGram)
    throw new DocchatError(
      'invalid_request',
      `The local embedder's ngramRange must be two integers with 1 <= min <= max; got [${minGram}, ${maxGram}].`,
    );
  const ngramWeight = options.ngramWeight ?? 0.5;
  if (!(ngramWeight >= 0 && ngramWeight <= 1))
    throw new DocchatError(
      'invalid_request',
      `The local embedder's ngramWeight must be between 0 and 1; got ${String(ngramWeight)}.`,
    );
  const analyzer = options.analyzer ?? analyze;

  // A term's features as (bucket, signed weight) pairs, summing to unit L2 norm before tf weighting.
  const features = new Map<string, { buckets: Int32Array; weights: Float32Array }>();

  const featuresOf = (term: string): { buckets: Int32Array; weights: Float32Array } => {
    const cached = features.get(term);
    if (cached) return cached;
    const hashes: number[] = [];
    const marked = `<${term}>`;
    for (let start = 0; start < marked.length; start++) {
      let h = ngramSeed;
      for (let end = start + 1; end <= Math.min(marked.length, start + maxGram); end++) {
        h = fnv1a(marked, end - 1, end, h);
        // The whole marked word is the word feature, not an n-gram.
        if (end - start >= minGram && !(start === 0 && end === marked.length)) hashes.push(h);
      }
    }
    const ngramCount = hashes.length;
    const buckets = new Int32Array(ngramCount + 1);
    const weights = new Float32Array(ngramCount + 1);
    const wordHash = fnv1a(term, 0, term.length, wordSeed);
    const wordShare = ngramCount === 0 ? 1 : 1 - ngramWeight;
    buckets[0] = wordHash % dimensions;
    weights[0] = (wordHash & 0x80000000 ? -1 : 1) * Math.sqrt(wordShare);
    // Equal n-gram weights whose squares sum to the n-gram share, so long words do not outweigh short ones.
    const each = ngramCount === 0 ? 0 : Math.sqrt(ngramWeight / ngramCount);
    for (let i = 0; i < ngramCount; i++) {
      const h = hashes[i] as number;
      buckets[i + 1] = h % dimensions;
      weights[i + 1] = (h & 0x80000000 ? -1 : 1) * each;
    }
    const entry = { buckets, weights };
    if (features.size >= featureCacheLimit) features.clear();
    features.set(term, entry);
    return entry;
  };

  const embedOne = (text: string): Float32Array => {
    const counts = new Map<string, number>();
    for (const term of analyzer(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const sums = new Float64Array(dimensions);
    for (const [term, count] of counts) {
      const weight = 1 + Math.log(count);
      const { buckets, weights } = featuresOf(term);
      for (let i = 0; i < buckets.length; i++)
        sums[buckets[i] as number] = (sums[buckets[i] as number] as number) + weight * (weights[i] as number);
    }
    let norm = 0;
    for (let i = 0; i < dimensions; i++) norm += (sums[i] as number) * (sums[i] as number);
    const vector = new Float32Array(dimensions);
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < dimensions; i++) vector[i] = (sums[i] as number) * scale;
    }
    return vector;
  };

  return {
    name: `${localEmbedderNamePrefix}v1-${dimensions}-${minGram}-${maxGram}-${ngramWeight}`,
    dimensions,
    // Nothing remote: any batch and any length is fine; one "request" is a synchronous loop.
    limits: {
      maxInputs: 256,
      maxTokensPerRequest: Number.MAX_SAFE_INTEGER,
      maxTokensPerInput: Number.MAX_SAFE_INTEGER,
      concurrency: 1,
    },
    async embed(texts, embedOptions = {}) {
      const vectors: Float32Array[] = [];
      for (const text of texts) {
        if (embedOptions.signal?.aborted)
          throw new DocchatError('aborted', 'The request was cancelled.', {
            cause: embedOptions.signal.reason,
          });
        vectors.push(embedOne(text));
      }
      return vectors;
    },
  };
}
