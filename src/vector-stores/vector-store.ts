/** A search hit: the position of the vector in insertion order, and its cosine similarity to the query. */
export interface VectorHit {
  index: number;
  score: number;
}

/** Exact nearest-neighbour search by cosine similarity. Vectors are addressed by insertion position. */
export interface VectorStore {
  readonly dimensions: number;
  readonly size: number;
  add(vectors: readonly Float32Array[]): void;
  /** Top `k` by cosine similarity, best first; ties keep insertion order. */
  search(query: Float32Array, k: number): VectorHit[];
}
