import type { Chunk } from '../core/types.ts';

/** Int32 fields per chunk in {@link PackedContents.layout}. */
const fieldsPerChunk = 5;

/**
 * One document's chunks and vectors in a compact form: the text once (chunks that overlap share it), a
 * 5 × Int32 layout per chunk, and all vectors in one Float32 buffer. Ids and sources are kept only when they
 * differ from what they usually are (`${documentId}#${position}`, the document's source).
 */
export interface PackedContents {
  /** The chunks' text, each overlap stored once. */
  text: string;
  /** Per chunk: start and length in `text`, then `start`, `end` and `page` (-1 for none). */
  layout: Uint8Array;
  /** Every chunk id, when some id is not the usual one; otherwise `null`. */
  ids: string[] | null;
  /** Every chunk source, when some chunk's source is not the document's; otherwise `null`. */
  sources: string[] | null;
  /** Vector length, or `null` without vectors. */
  dimensions: number | null;
  /** All vectors back to back (little-endian Float32 on every platform Node runs on), or `null`. */
  vectors: Uint8Array | null;
}

/**
 * Where `chunk.text` starts in the text stored so far when it begins inside `anchor` (the chunk reaching furthest
 * so far, stored at `anchorAt`), or -1; `tail` is the stored text from `anchorAt` on. Splitters make overlapping
 * slices of one text, so the place is found from the offsets, then checked.
 */
function overlapStart(tail: string, chunk: Chunk, anchor: Chunk | undefined, anchorAt: number): number {
  if (anchor === undefined || chunk.start < anchor.start || chunk.start >= anchor.end) return -1;
  const offset = chunk.start - anchor.start;
  if (offset > tail.length) return -1;
  const stored = tail.slice(offset, offset + chunk.text.length);
  return chunk.text.startsWith(stored) ? anchorAt + offset : -1;
}

/** Packs a document's chunks (and their vectors, one per chunk) for storage. */
export function packContents(
  documentId: string,
  source: string,
  chunks: readonly Chunk[],
  vectors: readonly Float32Array[] | null,
): PackedContents {
  const layout = new Int32Array(chunks.length * fieldsPerChunk);
  const pieces: string[] = [];
  let length = 0;
  // The stored text from `anchorAt` on, one chunk long: slicing the whole growing text instead would flatten
  // (copy) it once per chunk, seconds for a document of a few thousand chunks.
  let tail = '';
  let anchor: Chunk | undefined;
  let anchorAt = 0;
  let usualIds = true;
  let usualSources = true;
  chunks.forEach((chunk, position) => {
    const continued = overlapStart(tail, chunk, anchor, anchorAt);
    const at = continued >= 0 ? continued : length;
    // When the chunk runs past the end of the stored text, only its new end is added.
    if (at + chunk.text.length > length) {
      const added = chunk.text.slice(length - at);
      pieces.push(added);
      tail += added;
      length += added.length;
    }
    if (anchor === undefined || chunk.end > anchor.end || continued < 0) {
      tail = tail.slice(at - anchorAt);
      anchor = chunk;
      anchorAt = at;
    }
    layout.set([at, chunk.text.length, chunk.start, chunk.end, chunk.page ?? -1], position * fieldsPerChunk);
    usualIds &&= chunk.id === `${documentId}#${position}`;
    usualSources &&= chunk.source === source;
  });
  const dimensions = vectors?.[0]?.length ?? null;
  let packedVectors: Uint8Array | null = null;
  if (vectors !== null && dimensions !== null) {
    const all = new Float32Array(vectors.length * dimensions);
    vectors.forEach((vector, index) => {
      if (vector.length !== dimensions)
        throw new RangeError('Every vector of a document must have one length.');
      all.set(vector, index * dimensions);
    });
    packedVectors = new Uint8Array(all.buffer);
  }
  return {
    text: pieces.join(''),
    layout: new Uint8Array(layout.buffer),
    ids: usualIds ? null : chunks.map((chunk) => chunk.id),
    sources: usualSources ? null : chunks.map((chunk) => chunk.source),
    dimensions,
    vectors: packedVectors,
  };
}

/** Copies bytes into a buffer of their own: a BLOB's offset need not be aligned for typed-array views. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** The chunks and vectors {@link packContents} packed. */
export function unpackContents(
  documentId: string,
  source: string,
  packed: PackedContents,
): { chunks: Chunk[]; vectors: Float32Array[] | null } {
  const layout = new Int32Array(ownBuffer(packed.layout));
  const count = layout.length / fieldsPerChunk;
  const chunks: Chunk[] = [];
  for (let position = 0; position < count; position++) {
    const [at = 0, length = 0, start = 0, end = 0, page = -1] = layout.subarray(
      position * fieldsPerChunk,
      (position + 1) * fieldsPerChunk,
    );
    chunks.push({
      id: packed.ids?.[position] ?? `${documentId}#${position}`,
      documentId,
      source: packed.sources?.[position] ?? source,
      page: page === -1 ? null : page,
      start,
      end,
      text: packed.text.slice(at, at + length),
    });
  }
  const { dimensions } = packed;
  if (packed.vectors === null || dimensions === null) return { chunks, vectors: null };
  const all = new Float32Array(ownBuffer(packed.vectors));
  const vectors = chunks.map((_, index) => all.subarray(index * dimensions, (index + 1) * dimensions));
  return { chunks, vectors };
}
