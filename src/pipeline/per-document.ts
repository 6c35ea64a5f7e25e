import type { Chunk } from '../core/types.ts';

/**
 * Computes `compute(documentChunks)` once per document of an index and remembers it, so adding a document costs
 * only that document's work. An index's chunks are stored document after document; each document's first chunk
 * object keys its cached result (it lives exactly as long as the document is in some index).
 */
export function createPerDocument<T>(compute: (documentChunks: readonly Chunk[]) => T) {
  const cache = new WeakMap<Chunk, { count: number; value: T }>();
  return (chunks: readonly Chunk[]): T[] => {
    const values: T[] = [];
    let start = 0;
    while (start < chunks.length) {
      const first = chunks[start] as Chunk;
      let end = start + 1;
      while (end < chunks.length && (chunks[end] as Chunk).documentId === first.documentId) end++;
      const cached = cache.get(first);
      if (cached !== undefined && cached.count === end - start) values.push(cached.value);
      else {
        const value = compute(chunks.slice(start, end));
        cache.set(first, { count: end - start, value });
        values.push(value);
      }
      start = end;
    }
    return values;
  };
}
