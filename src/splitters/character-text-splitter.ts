import type { Chunk, LoadedDocument } from '../core/types.ts';
import { type ChunkSizeOptions, resolveChunkSizeOptions } from './chunk-size-options.ts';
import { chunksFromRanges } from './chunks-from-ranges.ts';
import { createCodePointIndex } from './code-point-index.ts';
import type { TextSplitter } from './text-splitter.ts';

/**
 * The Python reference's fixed-window splitter (`aimakerspace.text_utils.CharacterTextSplitter`), with its
 * API (`splitText`, `splitTexts`) next to the project's {@link TextSplitter} `split`.
 */
export interface CharacterTextSplitter extends TextSplitter {
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  /** The reference's `split(text)`: `chunkSize` code points every `chunkSize - chunkOverlap` code points. */
  splitText(text: string): string[];
  /** Same result as the reference's `split_texts(texts)`: every text's windows, concatenated. */
  splitTexts(texts: readonly string[]): string[];
}

/**
 * Creates a splitter with exactly the reference's behaviour: `text[i : i + chunkSize]` for `i` in
 * `range(0, len(text), chunkSize - chunkOverlap)`, counted in code points as Python does, but reported as
 * UTF-16 offsets. Like the reference it cuts mid-word and keeps whitespace-only windows and the short tail
 * windows that lie inside the previous one. Throws `invalid_request` for unusable sizes; unlike the reference
 * it also refuses a negative overlap, which would silently drop text.
 */
export function createCharacterTextSplitter(options: ChunkSizeOptions = {}): CharacterTextSplitter {
  const { chunkSize, chunkOverlap } = resolveChunkSizeOptions(options);
  const step = chunkSize - chunkOverlap;

  function windows(text: string, onWindow: (start: number, end: number) => void): void {
    const index = createCodePointIndex(text);
    for (let first = 0; first < index.length; first += step) {
      onWindow(index.unitIndex(first), index.unitIndex(first + chunkSize));
    }
  }

  function splitText(text: string): string[] {
    const chunks: string[] = [];
    windows(text, (start, end) => chunks.push(text.slice(start, end)));
    return chunks;
  }

  return {
    chunkSize,
    chunkOverlap,
    splitText,
    splitTexts: (texts) => texts.flatMap(splitText),
    split(document: LoadedDocument, documentId: string = document.source): Chunk[] {
      const ranges: [number, number][] = [];
      windows(document.text, (start, end) => ranges.push([start, end]));
      return chunksFromRanges(document, documentId, ranges);
    },
  };
}
