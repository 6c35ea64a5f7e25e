import { throwIfAborted } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import { embedAll } from '../embedders/embed-all.ts';
import type { Embedder } from '../embedders/embedder.ts';
import { createSearchIndex, type SearchMode } from '../retrieval/search-index.ts';
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
   * Drop a retrieved document whose id equals the query id, as BEIR's evaluator does by default
   * (it matters for datasets whose queries are also corpus documents, e.g. ArguAna, Quora). Default `true`.
   */
  ignoreIdenticalIds?: boolean;
  signal?: AbortSignal;
  /** Reports each phase's progress: `load` (0/1), `embed` (texts), `search` (queries). */
  onProgress?: (phase: 'load' | 'embed' | 'search', done: number, total: number) => void;
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
}

/**
 * Evaluates retrieval on a BEIR dataset: each document (`title + "\n" + text`) is one chunk, each judged
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

  const index = createSearchIndex({ embedder: options.embedder ?? null, mode: options.mode });
  const chunks: Chunk[] = dataset.corpus.map((document) => {
    const text = `${document.title}\n${document.text}`;
    return {
      id: document.id,
      documentId: document.id,
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
        chunks.map((chunk) => chunk.text),
        { signal, onProgress: (done, total) => onProgress?.('embed', done, total) },
      )
    : null;
  index.add(chunks, vectors);

  const totals = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  let scored = 0;
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
    totals.ndcg10 += ndcgAtK(ranking, judgments, 10);
    totals.recall10 += recallAtK(ranking, judgments, 10);
    totals.recall100 += recallAtK(ranking, judgments, 100);
    totals.mrr10 += reciprocalRankAtK(ranking, judgments, 10);
    scored++;
    onProgress?.('search', scored, dataset.qrels.size);
  }

  const mean = (sum: number): number => (scored === 0 ? 0 : sum / scored);
  return {
    'ndcg@10': mean(totals.ndcg10),
    'recall@10': mean(totals.recall10),
    'recall@100': mean(totals.recall100),
    'mrr@10': mean(totals.mrr10),
    queries: scored,
    seconds: (performance.now() - started) / 1000,
    mode: index.mode,
  };
}
