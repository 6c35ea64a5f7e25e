import { DocchatError } from '../core/errors.ts';
import { TopK } from './top-k.ts';
import type { VectorStore } from './vector-store.ts';

/** Options of {@link createMemoryVectorStore}. */
export interface MemoryVectorStoreOptions {
  /** Length of every vector, e.g. 1536 for `text-embedding-3-small`. */
  dimensions: number;
  /** Vectors to make room for up front; the store grows by doubling past it. */
  initialCapacity?: number;
}

/**
 * An exact cosine-similarity store held in one contiguous, growable `Float32Array`.
 * Vectors are L2-normalized once when added (a zero vector stays zero and scores 0 against anything);
 * a score is the float64 dot product of the normalized query with the stored float32 row, summed in order.
 * Identical vectors are kept as separate entries.
 */
export function createMemoryVectorStore(options: MemoryVectorStoreOptions): VectorStore {
  const dimensions = options.dimensions;
  if (!Number.isInteger(dimensions) || dimensions < 1)
    throw new DocchatError(
      'invalid_request',
      `Vector dimensions must be a positive integer; got ${String(dimensions)}.`,
    );
  const initialCapacity = options.initialCapacity ?? 16;
  if (!Number.isInteger(initialCapacity) || initialCapacity < 0)
    throw new DocchatError(
      'invalid_request',
      `initialCapacity must be a non-negative integer; got ${String(initialCapacity)}.`,
    );

  let capacity = Math.max(1, initialCapacity);
  let data = new Float32Array(capacity * dimensions);
  let size = 0;

  function ensureCapacity(needed: number): void {
    if (needed <= capacity) return;
    while (capacity < needed) capacity *= 2;
    const grown = new Float32Array(capacity * dimensions);
    grown.set(data.subarray(0, size * dimensions));
    data = grown;
  }

  return {
    dimensions,
    get size() {
      return size;
    },

    add(vectors) {
      // Validate everything first so a bad batch leaves the store unchanged.
      for (let i = 0; i < vectors.length; i++)
        checkVector(vectors[i], dimensions, `Vector ${i} of the batch`);
      ensureCapacity(size + vectors.length);
      for (const vector of vectors) {
        const norm = l2Norm(vector);
        const offset = size * dimensions;
        if (norm > 0) for (let j = 0; j < dimensions; j++) data[offset + j] = (vector[j] as number) / norm;
        else data.fill(0, offset, offset + dimensions);
        size++;
      }
    },

    search(query, k) {
      checkVector(query, dimensions, 'The query vector');
      if (!Number.isInteger(k) || k < 0)
        throw new DocchatError('invalid_request', `k must be a non-negative integer; got ${String(k)}.`);
      const normalized = normalizedQuery(query);
      const best = new TopK(Math.min(k, size));
      for (let row = 0; row < size; row++) best.offer(exactDot(data, row * dimensions, normalized), row);
      return best.sorted();
    },
  };
}

/** The query scaled to unit length in float64 (all zeros stays all zeros). */
function normalizedQuery(query: Float32Array): Float64Array {
  const normalized = new Float64Array(query.length);
  const norm = l2Norm(query);
  if (norm > 0) for (let j = 0; j < query.length; j++) normalized[j] = (query[j] as number) / norm;
  return normalized;
}

/** The score of one stored row: a float64 dot product summed in index order, so every path agrees bit for bit. */
function exactDot(data: Float32Array, offset: number, query: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < query.length; j++) sum += (data[offset + j] as number) * (query[j] as number);
  return sum;
}

function l2Norm(vector: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < vector.length; j++) {
    const value = vector[j] as number;
    sum += value * value;
  }
  return Math.sqrt(sum);
}

function checkVector(vector: unknown, dimensions: number, what: string): asserts vector is Float32Array {
  if (!(vector instanceof Float32Array))
    throw new DocchatError('invalid_request', `${what} must be a Float32Array.`);
  if (vector.length !== dimensions)
    throw new DocchatError(
      'invalid_request',
      `${what} has ${vector.length} dimensions but this store holds ${dimensions}-dimensional vectors; use the same embedding model for indexing and search.`,
      { details: { expected: dimensions, actual: vector.length } },
    );
  for (let j = 0; j < dimensions; j++)
    if (!Number.isFinite(vector[j]))
      throw new DocchatError(
        'invalid_request',
        `${what} contains a non-finite value (NaN or Infinity) at position ${j}; check the embedder's output.`,
      );
}
