import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { Chunk, ScoredChunk } from '../core/types.ts';
import type { Embedder } from '../embedders/embedder.ts';
import { localEmbedderNamePrefix } from '../embedders/local-embedder.ts';
import { createMemoryVectorStore } from '../vector-stores/memory-vector-store.ts';
import type { VectorStore } from '../vector-stores/vector-store.ts';
import type { Bm25Options } from './bm25-index.ts';
import { createLexicalRanker, type LexicalRanking } from './lexical-ranker.ts';
import type { RetrieveOptions, Retriever } from './retriever.ts';

/** How a {@link SearchIndex} ranks: BM25 only, embeddings only, or both fused with reciprocal rank fusion. */
export type SearchMode = 'hybrid' | 'lexical' | 'dense';

/** Options of {@link createSearchIndex}. */
export interface SearchIndexOptions {
  /** Embeds chunks at ingest and queries at search; `null`/absent means lexical only. */
  embedder?: Embedder | null;
  /** Default: {@link defaultSearchMode} of the embedder. */
  mode?: SearchMode;
  /** Where chunk vectors live. Default: an in-memory exact store of the embedder's dimensions. */
  vectorStore?: VectorStore;
  /** BM25 settings. Default: Anserini's k1 = 0.9, b = 0.4 and the English analyzer. */
  bm25?: Bm25Options;
  /** What the lexical side adds to BM25; `'plain'` for BM25 alone. Default: the measured `defaultRanking`. */
  ranking?: 'plain' | Partial<LexicalRanking>;
  /** The contextual header (document title, section path) indexed with each chunk's text. Default: none. */
  header?: (chunk: Chunk) => string;
  /** Reciprocal rank fusion constant. Default 60 (Cormack, Clarke & Büttcher, 2009). */
  rrfK?: number;
  /** How deep each ranking is read before fusion (at least `k`). Default 100. */
  fusionDepth?: number;
}

/**
 * A retriever over chunks added over time. Scores, higher is better, are on a 0..1 scale:
 * - `lexical`: the BM25 score (plus the proximity and neighbour scores of the ranking) divided by the best
 *   score any document could reach for the query;
 * - `dense`: the cosine similarity of query and chunk embeddings (negative only for opposed vectors);
 * - `hybrid`: the reciprocal-rank-fusion score divided by its maximum, so 1 means ranked first by both.
 */
export interface SearchIndex extends Retriever {
  /** Used to embed documents at ingest and queries at search; `null` when the mode is `lexical`. */
  readonly embedder: Embedder | null;
  readonly mode: SearchMode;
  readonly chunks: readonly Chunk[];
  /** The length of the passages' vectors; 0 before the first vectors (or without an embedder). */
  readonly dimensions: number;
  /** Adds chunks; `vectors` (same order) are required when the index has an embedder. */
  add(chunks: readonly Chunk[], vectors?: readonly Float32Array[] | null): void;
}

/**
 * The mode measured best for an embedder (docs/EVALUATION.md): no embedder → `lexical`; the offline hashing
 * embedder → `lexical` too, because fusing its lexical-only signal with BM25 lowered nDCG@10 on SciFact;
 * a real embedding model → `hybrid`.
 */
export function defaultSearchMode(embedder: Embedder | null | undefined): SearchMode {
  if (!embedder || embedder.name.startsWith(localEmbedderNamePrefix)) return 'lexical';
  return 'hybrid';
}

/** Creates an empty search index: BM25 always, dense vectors when an embedder is given, fused in `hybrid`. */
export function createSearchIndex(options: SearchIndexOptions = {}): SearchIndex {
  const mode = options.mode ?? defaultSearchMode(options.embedder);
  const embedder = mode === 'lexical' ? null : (options.embedder ?? null);
  if (mode !== 'lexical' && !embedder)
    throw new DocchatError(
      'invalid_request',
      `The "${mode}" retrieval mode needs an embedder; configure one or use the "lexical" mode.`,
    );
  const rrfK = options.rrfK ?? 60;
  const fusionDepth = options.fusionDepth ?? 100;
  if (!(rrfK >= 0) || !Number.isInteger(fusionDepth) || fusionDepth < 1)
    throw new DocchatError('invalid_request', 'rrfK must be ≥ 0 and fusionDepth a positive integer.');

  // Created on first add when not given: an OpenAI-compatible embedder may learn its dimensions on first call.
  let store: VectorStore | null = embedder ? (options.vectorStore ?? null) : null;
  if (store && store.size !== 0)
    throw new DocchatError('invalid_request', 'A search index must start from an empty vector store.');

  const lexical = createLexicalRanker({
    bm25: options.bm25,
    ranking: options.ranking,
    header: options.header,
  });
  const chunks: Chunk[] = [];
  const ids = new Set<string>();

  const add = (newChunks: readonly Chunk[], vectors?: readonly Float32Array[] | null): void => {
    if (embedder) {
      if (!vectors || vectors.length !== newChunks.length)
        throw new DocchatError(
          'invalid_request',
          `Adding ${newChunks.length} chunks needs ${newChunks.length} vectors from ${embedder.name}; got ${vectors?.length ?? 0}.`,
        );
      const expected = store?.dimensions || embedder.dimensions || vectors[0]?.length || 0;
      for (const vector of vectors)
        if (vector.length !== expected || expected === 0)
          throw new DocchatError(
            'invalid_request',
            `A vector has ${vector.length} dimensions where ${expected} were expected from ${embedder.name}.`,
          );
      if (!store && vectors.length > 0) store = createMemoryVectorStore({ dimensions: expected });
    }
    const batchIds = new Set<string>();
    for (const chunk of newChunks) {
      if (ids.has(chunk.id) || batchIds.has(chunk.id))
        throw new DocchatError(
          'invalid_request',
          `Chunk id "${chunk.id}" is already in the index; ids must be unique.`,
        );
      batchIds.add(chunk.id);
    }
    // Validation is done, so the three structures below stay aligned by insertion position.
    if (store && vectors) store.add(vectors);
    lexical.add(newChunks);
    for (const chunk of newChunks) {
      chunks.push(chunk);
      ids.add(chunk.id);
    }
  };

  const lexicalHits = (query: string, k: number): ScoredChunk[] =>
    lexical.rank(query, k).map((hit) => ({ chunk: chunks[hit.index] as Chunk, score: hit.score }));

  const denseHits = async (
    query: string,
    k: number,
    signal: AbortSignal | undefined,
  ): Promise<{ index: number; score: number }[]> => {
    if (!embedder || !store) return [];
    const [vector] = await embedder.embed([query], { signal });
    throwIfAborted(signal);
    if (!vector || vector.length !== store.dimensions) {
      // The server behind the embedder now serves another model: the passages must be embedded again.
      throw new DocchatError(
        'embedding_mismatch',
        `${embedder.name} now gives ${vector?.length ?? 0}-dimensional vectors, but this chat's passages were embedded ` +
          `with ${store.dimensions} dimensions. Ask again to have them embedded with the current model.`,
        { details: { expected: store.dimensions, actual: vector?.length ?? 0 } },
      );
    }
    return store.search(vector, k);
  };

  const retrieve = async (query: string, options: RetrieveOptions): Promise<ScoredChunk[]> => {
    const { k, signal } = options;
    if (!Number.isInteger(k) || k < 0)
      throw new DocchatError('invalid_request', `k must be a non-negative integer; got ${String(k)}.`);
    throwIfAborted(signal);
    if (k === 0 || chunks.length === 0 || query.trim().length === 0) return [];
    if (mode === 'lexical') return lexicalHits(query, k);
    if (mode === 'dense')
      return (await denseHits(query, k, signal)).map((hit) => ({
        chunk: chunks[hit.index] as Chunk,
        score: hit.score,
      }));

    const depth = Math.max(k, fusionDepth);
    const dense = await denseHits(query, depth, signal);
    const sparse = lexical.rank(query, depth);
    const fused = new Map<number, number>();
    for (const ranking of [sparse, dense])
      for (let rank = 0; rank < ranking.length; rank++) {
        const index = (ranking[rank] as { index: number }).index;
        fused.set(index, (fused.get(index) ?? 0) + 1 / (rrfK + rank + 1));
      }
    const best = 2 / (rrfK + 1);
    return [...fused]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([index, score]) => ({ chunk: chunks[index] as Chunk, score: score / best }));
  };

  return {
    embedder,
    mode,
    get chunks() {
      return chunks;
    },
    get dimensions() {
      return store?.dimensions ?? 0;
    },
    add,
    retrieve,
  };
}
