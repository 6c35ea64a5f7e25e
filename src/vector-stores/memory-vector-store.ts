import { DocchatError } from '../core/errors.ts';
import { TopK } from '../core/top-k.ts';
import { loadSimdDotKernel, simdDotErrorBound } from './simd-dot-kernel.ts';
import type { VectorStore } from './vector-store.ts';

/** Options of {@link createMemoryVectorStore}. */
export interface MemoryVectorStoreOptions {
  /** Length of every vector, e.g. 1536 for `text-embedding-3-small`. */
  dimensions: number;
  /** Vectors to make room for up front; the store grows by doubling past it. */
  initialCapacity?: number;
  /**
   * How to scan: `simd` (a WebAssembly SIMD first pass, then exact re-scoring of the candidates), `js` (exact
   * float64 scoring of every row), or `auto` (the default: `simd` where the runtime supports it). Both give
   * identical results.
   */
  kernel?: 'auto' | 'simd' | 'js';
}

/** A {@link VectorStore} that also says which scan it uses. */
export interface MemoryVectorStore extends VectorStore {
  readonly kernel: 'simd' | 'js';
}

/**
 * An exact cosine-similarity store held in one contiguous, growable `Float32Array`.
 * Vectors are L2-normalized once when added (a zero vector stays zero and scores 0 against anything).
 * A score is the float64 dot product, summed in index order, of the float64 unit query with the stored float32
 * unit row; ties keep insertion order. Identical vectors are kept as separate entries.
 */
export function createMemoryVectorStore(options: MemoryVectorStoreOptions): MemoryVectorStore {
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
  const requested = options.kernel ?? 'auto';
  if (requested !== 'auto' && requested !== 'simd' && requested !== 'js')
    throw new DocchatError(
      'invalid_request',
      `kernel must be 'auto', 'simd' or 'js'; got ${String(requested)}.`,
    );

  const rows = requested === 'js' ? null : createSimdRows(dimensions, Math.max(1, initialCapacity));
  if (requested === 'simd' && rows === null)
    throw new DocchatError(
      'invalid_request',
      "This JavaScript runtime has no WebAssembly SIMD; use kernel 'auto' or 'js'.",
    );
  const storage = rows ?? createPlainRows(dimensions, Math.max(1, initialCapacity));
  const stride = storage.stride;
  let size = 0;

  return {
    dimensions,
    kernel: rows === null ? 'js' : 'simd',
    get size() {
      return size;
    },

    add(vectors) {
      // Validate everything first so a bad batch leaves the store unchanged.
      for (let i = 0; i < vectors.length; i++)
        checkVector(vectors[i], dimensions, `Vector ${i} of the batch`);
      storage.ensureCapacity(size + vectors.length);
      const data = storage.data;
      for (const vector of vectors) {
        const norm = l2Norm(vector);
        const offset = size * stride;
        if (norm > 0) for (let j = 0; j < dimensions; j++) data[offset + j] = (vector[j] as number) / norm;
        else data.fill(0, offset, offset + dimensions);
        // Padding stays zero so the SIMD kernel can read whole 16-float blocks.
        data.fill(0, offset + dimensions, offset + stride);
        size++;
      }
    },

    search(query, k) {
      checkVector(query, dimensions, 'The query vector');
      if (!Number.isInteger(k) || k < 0)
        throw new DocchatError('invalid_request', `k must be a non-negative integer; got ${String(k)}.`);
      const count = Math.min(k, size);
      if (count === 0) return [];
      const norm = l2Norm(query);
      // Every score of a zero query is exactly 0, so the first rows win the tie.
      if (norm === 0) return Array.from({ length: count }, (_, index) => ({ index, score: 0 }));
      const unit = new Float64Array(dimensions);
      for (let j = 0; j < dimensions; j++) unit[j] = (query[j] as number) / norm;

      const data = storage.data;
      const best = new TopK(count);
      const approximate = count < size ? storage.approximateScores?.(unit, size) : undefined;
      if (approximate === undefined) {
        for (let row = 0; row < size; row++) best.offer(exactDot(data, row * stride, unit), row);
        return best.sorted();
      }
      // Any row of the exact top k has an approximate score within 2 error bounds of the k-th approximate score.
      const { scores, errorBound } = approximate;
      const firstPass = new TopK(count);
      // Rows come in index order, so a row that only equals the threshold ranks below the pair holding it.
      let threshold = Number.NEGATIVE_INFINITY;
      for (let row = 0; row < size; row++) {
        const score = scores[row] as number;
        if (score > threshold) {
          firstPass.offer(score, row);
          threshold = firstPass.threshold;
        }
      }
      const cutoff = threshold - 2 * errorBound;
      for (let row = 0; row < size; row++)
        if ((scores[row] as number) >= cutoff) best.offer(exactDot(data, row * stride, unit), row);
      return best.sorted();
    },
  };
}

/** Float32 approximate scores of every stored row, and how far any of them may be from the exact score. */
interface ApproximateScores {
  scores: Float32Array;
  errorBound: number;
}

/** Where the rows live: `data` holds `capacity` rows of `stride` floats each. */
interface RowStorage {
  readonly stride: number;
  readonly data: Float32Array;
  ensureCapacity(rows: number): void;
  approximateScores?(unitQuery: Float64Array, rows: number): ApproximateScores;
}

function createPlainRows(dimensions: number, initialCapacity: number): RowStorage {
  let capacity = initialCapacity;
  let data = new Float32Array(capacity * dimensions);
  return {
    stride: dimensions,
    get data() {
      return data;
    },
    ensureCapacity(rows) {
      if (rows <= capacity) return;
      while (capacity < rows) capacity *= 2;
      const grown = new Float32Array(capacity * dimensions);
      grown.set(data);
      data = grown;
    },
  };
}

const pageBytes = 65_536;

/**
 * Rows in WebAssembly memory, padded to 16 floats: the matrix from byte 0 (so growing the memory keeps it in
 * place), then the float32 query, then one float32 score per row. Returns `null` without WebAssembly SIMD.
 */
function createSimdRows(dimensions: number, initialCapacity: number): RowStorage | null {
  const stride = Math.ceil(dimensions / 16) * 16;
  const strideBytes = stride * 4;
  const bytesFor = (rows: number): number => rows * (strideBytes + 4) + strideBytes;
  let capacity = initialCapacity;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(bytesFor(capacity) / pageBytes) });
  } catch {
    return null;
  }
  const kernel = loadSimdDotKernel(memory);
  if (kernel === null) return null;
  const errorBound = simdDotErrorBound(strideBytes, dimensions);
  let data = new Float32Array(memory.buffer, 0, capacity * stride);

  return {
    stride,
    get data() {
      return data;
    },
    ensureCapacity(rows) {
      if (rows <= capacity) return;
      while (capacity < rows) capacity *= 2;
      const pages = Math.ceil(bytesFor(capacity) / pageBytes) - memory.buffer.byteLength / pageBytes;
      try {
        if (pages > 0) memory.grow(pages);
      } catch (error) {
        throw new DocchatError(
          'invalid_request',
          `The in-memory vector store cannot hold ${rows} vectors of ${dimensions} dimensions; index fewer documents or use the 'js' kernel.`,
          { cause: error },
        );
      }
      // Growing detaches the old buffer, so views are made again.
      data = new Float32Array(memory.buffer, 0, capacity * stride);
    },
    approximateScores(unitQuery, rows) {
      const queryPtr = capacity * strideBytes;
      const scoresPtr = queryPtr + strideBytes;
      const query = new Float32Array(memory.buffer, queryPtr, stride);
      query.set(unitQuery);
      query.fill(0, dimensions);
      kernel.scores(0, queryPtr, scoresPtr, rows, strideBytes);
      return { scores: new Float32Array(memory.buffer, scoresPtr, rows), errorBound };
    },
  };
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
