import { throwIfAborted } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import { embedAll } from '../embedders/embed-all.ts';
import type { Embedder } from '../embedders/embedder.ts';
import { createSearchIndex, type SearchIndex, type SearchMode } from '../retrieval/search-index.ts';
import { loadBeir } from './load-beir.ts';
import { ndcgAtK, recallAtK, reciprocalRankAtK } from './metrics.ts';

/** Options of {@link runBeirEval}. */
export interface BeirEvalOptions {
  /** Which `qrels/<split>.tsv` to score. Default `test`. */
  split?: string;
  /** Default: the search index's default for the embedder (`lexical` without one). */
  mode?: SearchMode;
  /** Embeds documents and queries for `dense` and `hybrid`. */
  embedder?: Embedder | null;
  /**
   * Builds the empty index to measure, given the header of each chunk (its document's title); it replaces
   * `mode` and `embedder` (e.g. the plain BM25 baseline).
   */
  createIndex?: (options: { header: (chunk: Chunk) => string }) => SearchIndex;
  /** A title for the whole set (one document split into passages), put in front of every passage's header. */
  documentTitle?: string;
  /**
   * The corpus is the passages of ONE document, in order (as the SQuAD and QASPER sets are): the chunks then
   * share one document id, so a retriever may use a passage's neighbours. Default `false`.
   */
  oneDocument?: boolean;
  /**
   * Drop a retrieved document whose id equals the query id, as BEIR's evaluator does by default
   * (it matters for datasets whose queries are also corpus documents, e.g. ArguAna, Quora). Default `true`.
   */
  ignoreIdenticalIds?: boolean;
  signal?: AbortSignal;
  /** Reports each phase's progress: `load` (0/1), `embed` (texts), `search` (queries). */
  onProgress?: (phase: 'load' | 'embed' | 'search', done: number, total: number) => void;
}

/** One judged query's scores, kept so that two retrievers can be compared query by query. */
export interface QueryScores {
  id: string;
  'ndcg@10': number;
  'recall@10': number;
  'recall@100': number;
  'mrr@10': number;
}

/** Mean retrieval quality over the judged queries of one split, in pytrec_eval's definitions. */
export interface BeirEvalResult {
  'ndcg@10': number;
  'recall@10': number;
  'recall@100': number;
  'mrr@10': number;
  /** Judged queries scored (those in the qrels split). */
  queries: number;
  /** Wall-clock time of the whole evaluation: loading, indexing, embedding and searching. */
  seconds: number;
  /** The retrieval mode used. */
  mode: SearchMode;
  /** Every scored query, in qrels order. */
  perQuery: QueryScores[];
}

/**
 * Evaluates retrieval on a BEIR dataset: each document is one chunk (its title the chunk's header), each judged
 * query retrieves 100, and the metrics are averaged over the queries of the qrels split.
 */
export async function runBeirEval(dir: string, options: BeirEvalOptions = {}): Promise<BeirEvalResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const ignoreIdenticalIds = options.ignoreIdenticalIds ?? true;
  onProgress?.('load', 0, 1);
  const dataset = await loadBeir(dir, options.split ?? 'test');
  onProgress?.('load', 1, 1);
  throwIfAborted(signal);

  // The title is the chunk's header: indexed with its text (as `title + "\n" + text` by default).
  const titles = new Map(dataset.corpus.map((document) => [document.id, document.title]));
  const documentTitle = options.documentTitle?.trim() ?? '';
  const header = (chunk: Chunk): string =>
    [documentTitle, titles.get(chunk.id) ?? ''].filter((part) => part.length > 0).join('\n');
  const index =
    options.createIndex?.({ header }) ??
    createSearchIndex({ embedder: options.embedder ?? null, mode: options.mode, header });
  const chunks: Chunk[] = dataset.corpus.map((document) => {
    const text = document.text;
    return {
      id: document.id,
      documentId: options.oneDocument ? dir : document.id,
      source: document.id,
      page: null,
      start: 0,
      end: text.length,
      text,
    };
  });
  const vectors = index.embedder
    ? await embedAll(
        index.embedder,
        chunks.map((chunk) => [header(chunk), chunk.text].filter((part) => part.length > 0).join('\n')),
        { signal, onProgress: (done, total) => onProgress?.('embed', done, total) },
      )
    : null;
  index.add(chunks, vectors);

  const perQuery: QueryScores[] = [];
  const depth = 100;
  for (const [queryId, judgments] of dataset.qrels) {
    throwIfAborted(signal);
    // A judged query without text cannot be run; it scores 0, as a missing run does in BEIR's evaluator.
    const text = dataset.queries.get(queryId) ?? '';
    const hits = await index.retrieve(text, { k: ignoreIdenticalIds ? depth + 1 : depth, signal });
    const ranking = hits
      .map((hit) => hit.chunk.id)
      .filter((id) => !ignoreIdenticalIds || id !== queryId)
      .slice(0, depth);
    perQuery.push({
      id: queryId,
      'ndcg@10': ndcgAtK(ranking, judgments, 10),
      'recall@10': recallAtK(ranking, judgments, 10),
      'recall@100': recallAtK(ranking, judgments, 100),
      'mrr@10': reciprocalRankAtK(ranking, judgments, 10),
    });
    onProgress?.('search', perQuery.length, dataset.qrels.size);
  }

  const mean = (metric: Exclude<keyof QueryScores, 'id'>): number =>
    perQuery.length === 0 ? 0 : perQuery.reduce((sum, query) => sum + query[metric], 0) / perQuery.length;
  return {
    'ndcg@10': mean('ndcg@10'),
    'recall@10': mean('recall@10'),
    'recall@100': mean('recall@100'),
    'mrr@10': mean('mrr@10'),
    queries: perQuery.length,
    seconds: (performance.now() - started) / 1000,
    mode: index.mode,
    perQuery,
  };
}
