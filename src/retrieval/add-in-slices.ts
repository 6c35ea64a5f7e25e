import { throwIfAborted } from '../core/errors.ts';
import { nextTurn } from '../core/take-turns.ts';
import type { Chunk } from '../core/types.ts';
import type { SearchIndex } from './search-index.ts';

/**
 * Chunks indexed per turn of the event loop: BM25 analysis costs about 0.05 ms a chunk, so a slice holds the
 * loop for a few milliseconds, and a 2 MB document's 3,000 chunks no longer stall every other request.
 */
export const indexSliceChunks = 128;

/**
 * Adds chunks (and their vectors) to `index` a slice at a time, taking turns with other sliced work between
 * slices ({@link nextTurn}).
 * The result is the same index as one `add` call; an abort between slices leaves the slices already added.
 */
export async function addInSlices(
  index: SearchIndex,
  chunks: readonly Chunk[],
  vectors: readonly Float32Array[] | null,
  options: { signal?: AbortSignal; sliceChunks?: number } = {},
): Promise<void> {
  const size = options.sliceChunks ?? indexSliceChunks;
  for (let start = 0; start < chunks.length; start += size) {
    if (start > 0) {
      await nextTurn();
      throwIfAborted(options.signal);
    }
    index.add(
      chunks.slice(start, start + size),
      vectors === null ? null : vectors.slice(start, start + size),
    );
  }
  if (chunks.length === 0) index.add([], vectors === null ? null : []);
}
