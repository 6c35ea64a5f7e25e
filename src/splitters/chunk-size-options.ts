import { DocchatError } from '../core/errors.ts';

/** Sizes shared by the splitters, in characters (code points). */
export interface ChunkSizeOptions {
  /** Most characters in one chunk. Default 1000. */
  chunkSize?: number;
  /** Most characters shared by two consecutive chunks; must be smaller than `chunkSize`. Default 200. */
  chunkOverlap?: number;
}

/** Applies the defaults (1000/200) and checks the sizes, throwing `invalid_request` when they are unusable. */
export function resolveChunkSizeOptions(options: ChunkSizeOptions = {}): {
  chunkSize: number;
  chunkOverlap: number;
} {
  const { chunkSize = 1000, chunkOverlap = 200 } = options;
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new DocchatError(
      'invalid_request',
      `chunkSize must be a positive whole number of characters, got ${String(chunkSize)}. Try 1000.`,
      { details: { chunkSize } },
    );
  }
  if (!Number.isSafeInteger(chunkOverlap) || chunkOverlap < 0) {
    throw new DocchatError(
      'invalid_request',
      `chunkOverlap must be a whole number of characters, zero or more, got ${String(chunkOverlap)}. Try 200.`,
      { details: { chunkOverlap } },
    );
  }
  if (chunkOverlap >= chunkSize) {
    throw new DocchatError(
      'invalid_request',
      `chunkOverlap (${chunkOverlap}) must be smaller than chunkSize (${chunkSize}): ` +
        'lower the overlap or raise the size.',
      { details: { chunkSize, chunkOverlap } },
    );
  }
  return { chunkSize, chunkOverlap };
}
