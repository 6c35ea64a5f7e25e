import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { seededRandom } from '../core/seeded-random.ts';
import { createMemoryVectorStore } from './memory-vector-store.ts';
import type { VectorHit } from './vector-store.ts';

/** The specification written as plainly as possible: score every row, sort by score then index. */
function bruteForce(vectors: Float32Array[], query: Float32Array, k: number): VectorHit[] {
  const unit = (vector: Float32Array): number[] => {
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
    return Array.from(vector, (value) => (norm > 0 ? value / norm : 0));
  };
  const q = unit(query);
  const scored = vectors.map((vector, index) => {
    const row = unit(vector).map(Math.fround);
    let score = 0;
    for (let j = 0; j < row.length; j++) score += (row[j] as number) * (q[j] as number);
    return { index, score };
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
}

function invalidRequest(run: () => unknown): void {
  expect(run).toThrow(DocchatError);
  try {
    run();
  } catch (error) {
    expect((error as DocchatError).code).toBe('invalid_request');
  }
}

describe.each(['simd', 'js'] as const)('createMemoryVectorStore with the %s kernel', (kernel) => {
  it('ranks by cosine similarity, best first, ignoring vector length', () => {
    const store = createMemoryVectorStore({ dimensions: 2, kernel });
    store.add([Float32Array.of(1, 0), Float32Array.of(0, 5), Float32Array.of(3, 3)]);
    const hits = store.search(Float32Array.of(0, 2), 3);
    expect(hits.map((hit) => hit.index)).toEqual([1, 2, 0]);
    expect(hits[0]?.score).toBeCloseTo(1, 6);
    expect(hits[1]?.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(hits[2]?.score).toBeCloseTo(0, 12);
  });

  it('keeps identical vectors as separate entries and breaks ties by insertion order', () => {
    const store = createMemoryVectorStore({ dimensions: 3, initialCapacity: 1, kernel });
    const same = Float32Array.of(1, 2, 3);
    store.add([Float32Array.of(-1, 0, 0), same, same]);
    store.add([Float32Array.of(2, 4, 6)]);
    expect(store.size).toBe(4);
    expect(store.search(same, 3).map((hit) => hit.index)).toEqual([1, 2, 3]);
  });

  it('scores a stored zero vector 0 and answers a zero query with the first rows', () => {
    const store = createMemoryVectorStore({ dimensions: 2, kernel });
    store.add([Float32Array.of(-1, 0), Float32Array.of(0, 0), Float32Array.of(1, 0)]);
    expect(store.search(Float32Array.of(1, 0), 3)).toEqual([
      { index: 2, score: 1 },
      { index: 1, score: 0 },
      { index: 0, score: -1 },
    ]);
    expect(store.search(Float32Array.of(0, 0), 2)).toEqual([
      { index: 0, score: 0 },
      { index: 1, score: 0 },
    ]);
  });

  it('uses the kernel it was asked for', () => {
    expect(createMemoryVectorStore({ dimensions: 4, kernel }).kernel).toBe(kernel);
  });

  it('returns at most size hits, and none for k = 0 or an empty store', () => {
    const store = createMemoryVectorStore({ dimensions: 1, initialCapacity: 0, kernel });
    expect(store.search(Float32Array.of(1), 4)).toEqual([]);
    store.add([Float32Array.of(1), Float32Array.of(-1)]);
    expect(store.search(Float32Array.of(1), 10)).toHaveLength(2);
    expect(store.search(Float32Array.of(1), 0)).toEqual([]);
  });

  it('rejects wrong dimensions, non-finite values and bad k with invalid_request, leaving the store intact', () => {
    const store = createMemoryVectorStore({ dimensions: 3, kernel });
    invalidRequest(() => store.add([Float32Array.of(1, 2, 3), Float32Array.of(1, 2)]));
    expect(store.size).toBe(0);
    invalidRequest(() => store.add([Float32Array.of(1, Number.NaN, 3)]));
    invalidRequest(() => store.search(Float32Array.of(1, 2), 1));
    invalidRequest(() => store.search(Float32Array.of(1, 2, Number.POSITIVE_INFINITY), 1));
    invalidRequest(() => store.search(Float32Array.of(1, 2, 3), -1));
    invalidRequest(() => store.search(Float32Array.of(1, 2, 3), 1.5));
    invalidRequest(() => createMemoryVectorStore({ dimensions: 0 }));
    invalidRequest(() => createMemoryVectorStore({ dimensions: 4, initialCapacity: -1 }));
  });

  it('equals a brute-force sort by score then insertion index', () => {
    // Small integer coordinates make exact ties (duplicates, scaled copies, zero vectors) common.
    const coordinate = fc.integer({ min: -3, max: 3 }).map(Math.fround);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((dimensions) =>
          fc.record({
            dimensions: fc.constant(dimensions),
            batches: fc.array(
              fc.array(fc.array(coordinate, { minLength: dimensions, maxLength: dimensions }), {
                maxLength: 12,
              }),
              { maxLength: 4 },
            ),
            query: fc.array(coordinate, { minLength: dimensions, maxLength: dimensions }),
            k: fc.integer({ min: 0, max: 10 }),
            initialCapacity: fc.integer({ min: 0, max: 5 }),
          }),
        ),
        ({ dimensions, batches, query, k, initialCapacity }) => {
          const store = createMemoryVectorStore({ dimensions, initialCapacity, kernel });
          const all: Float32Array[] = [];
          for (const batch of batches) {
            const vectors = batch.map((values) => Float32Array.from(values));
            store.add(vectors);
            all.push(...vectors);
          }
          const q = Float32Array.from(query);
          expect(store.search(q, k)).toEqual(bruteForce(all, q, k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equals brute force on random real-valued vectors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 6 }),
        (rows, query, k) => {
          const store = createMemoryVectorStore({ dimensions: 8, kernel });
          const vectors = rows.map((values) => Float32Array.from(values));
          store.add(vectors);
          const q = Float32Array.from(query);
          expect(store.search(q, k)).toEqual(bruteForce(vectors, q, k));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the SIMD first pass', () => {
  it('defaults to SIMD where WebAssembly SIMD exists', () => {
    expect(createMemoryVectorStore({ dimensions: 4 }).kernel).toBe('simd');
  });

  it('gives exactly the JS results when many rows are within float32 rounding of each other', () => {
    // Rows that differ from a centre by ~1e-7 have float32 scores that reorder them; re-scoring must undo that.
    const next = seededRandom(7);
    for (const dimensions of [1, 17, 384, 1536]) {
      const centre = Float32Array.from({ length: dimensions }, () => next() - 0.5);
      const vectors = Array.from({ length: 300 }, (_, i) => {
        if (i % 50 === 0) return Float32Array.from({ length: dimensions }, () => next() - 0.5);
        return centre.map((value) => value * (1 + (next() - 0.5) * 4e-7));
      });
      const simd = createMemoryVectorStore({ dimensions, kernel: 'simd', initialCapacity: 7 });
      const js = createMemoryVectorStore({ dimensions, kernel: 'js' });
      simd.add(vectors.slice(0, 123));
      simd.add(vectors.slice(123));
      js.add(vectors);
      for (const query of [centre, vectors[50] as Float32Array, vectors[3] as Float32Array]) {
        for (const k of [1, 4, 40, 299, 300, 301]) expect(simd.search(query, k)).toEqual(js.search(query, k));
      }
    }
  });

  it('gives exactly the JS results on random clustered data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 70 }),
        (seed, dimensions) => {
          const next = seededRandom(seed);
          const centres = Array.from({ length: 3 }, () =>
            Float32Array.from({ length: dimensions }, () => next() - 0.5),
          );
          const vectors = Array.from({ length: 120 }, (_, i) =>
            (centres[i % 3] as Float32Array).map((value) => value + (next() - 0.5) * 0.01),
          );
          const simd = createMemoryVectorStore({ dimensions, kernel: 'simd' });
          const js = createMemoryVectorStore({ dimensions, kernel: 'js' });
          simd.add(vectors);
          js.add(vectors);
          const query = (centres[1] as Float32Array).map((value) => value + (next() - 0.5) * 0.01);
          expect(simd.search(query, 4)).toEqual(js.search(query, 4));
        },
      ),
      { numRuns: 100 },
    );
  });
});
