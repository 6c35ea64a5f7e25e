import type { ScoredChunk } from '../core/types.ts';

/** Options for one retrieval. */
export interface RetrieveOptions {
  k: number;
  signal?: AbortSignal;
}

/** Finds the chunks most relevant to a query, best first. */
export interface Retriever {
  retrieve(query: string, options: RetrieveOptions): Promise<ScoredChunk[]>;
}
