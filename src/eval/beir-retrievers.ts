import { loadConfig } from '../config.ts';
import { DocchatError } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import { createLocalEmbedder } from '../embedders/local-embedder.ts';
import { createOpenAIEmbedder } from '../embedders/openai-embedder.ts';
import { createSearchIndex, type SearchIndex } from '../retrieval/search-index.ts';
import { createPlainAnalyzer } from '../text/plain-analyzer.ts';

/** The retrievers the evaluators can measure, by their command-line name. */
export const beirRetrievers = ['lexical', 'bm25-plain', 'local', 'hybrid', 'openai'] as const;

/** One of {@link beirRetrievers}. */
export type BeirRetriever = (typeof beirRetrievers)[number];

/** Whether `name` is one of {@link beirRetrievers}. */
export function isBeirRetriever(name: string): name is BeirRetriever {
  return (beirRetrievers as readonly string[]).includes(name);
}

/**
 * The plain Lucene/Anserini BM25 baseline: k1 0.9, b 0.4, standard tokenizer, Lucene's English stop words,
 * Porter stemming, one-byte length norms, nothing else. It reproduces the reference figures of
 * `../shared/datasets/SOURCES.md` (SciFact 0.6789, Cranfield 0.3510, CISI 0.3644).
 */
export function createPlainBm25Index(options: { header?: (chunk: Chunk) => string } = {}): SearchIndex {
  return createSearchIndex({
    ...options,
    mode: 'lexical',
    bm25: { k1: 0.9, b: 0.4, analyzer: createPlainAnalyzer(), luceneLengths: true },
    ranking: 'plain',
  });
}

/** A factory of empty indexes for a retriever name; `openai` reads its settings from `env`. */
export function beirIndexFactory(
  retriever: string,
  env: Record<string, string | undefined>,
): (options: { header?: (chunk: Chunk) => string }) => SearchIndex {
  if (!isBeirRetriever(retriever))
    throw new DocchatError(
      'invalid_request',
      `Unknown retriever "${retriever}": use ${beirRetrievers.join(', ')}.`,
    );
  switch (retriever) {
    case 'lexical':
      return (options) => createSearchIndex({ ...options, mode: 'lexical' });
    case 'bm25-plain':
      return createPlainBm25Index;
    case 'local':
      return (options) => createSearchIndex({ ...options, mode: 'dense', embedder: createLocalEmbedder() });
    case 'hybrid':
      return (options) => createSearchIndex({ ...options, mode: 'hybrid', embedder: createLocalEmbedder() });
    case 'openai': {
      // loadConfig validates the variables and explains what is missing.
      const config = loadConfig({ ...env, DOCCHAT_EMBEDDER: 'openai' });
      const embedder = createOpenAIEmbedder({ ...config.openai, model: config.embedder.model });
      return (options) => createSearchIndex({ ...options, mode: 'hybrid', embedder });
    }
  }
}
