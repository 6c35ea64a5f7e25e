import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { SentenceSplitter } from 'llamaindex';
import type { LoadedDocument } from '../src/core/types.ts';
import { createRecursiveTextSplitter } from '../src/splitters/recursive-text-splitter.ts';
import { loadPaper, syntheticText, textDocument } from './fixtures.ts';
import { compareAlternating, ratio, round3 } from './measure.ts';

/** One text's splitting figures: medians in ms per split of the whole text. */
export interface SplitResult {
  text: string;
  characters: number;
  pages: number;
  ms: number;
  langchainMs: number;
  /** `null` when skipped: SentenceSplitter's time grows quadratically with the text (see `llamaindexSkipped`). */
  llamaindexMs: number | null;
  llamaindexSkipped?: string;
  /** `langchainMs / ms`: above 1 means docchat is faster. */
  speedupVsLangchain: number;
  speedupVsLlamaindex: number | null;
  chunks: number;
  langchainChunks: number;
  llamaindexChunks: number | null;
  meanChunkChars: number;
  langchainMeanChunkChars: number;
  llamaindexMeanChunkChars: number | null;
  /** Every docchat chunk satisfies `text.slice(start, end) === chunk.text` and carries its page. */
  offsetsExact: boolean;
}

/** Sizes and repetitions of the split part. */
export interface SplitOptions {
  /** Lengths of the synthetic texts, in characters. */
  syntheticCharacters: readonly number[];
  includePaper: boolean;
  warmup: number;
  rounds: number;
}

/** The full run. */
export const splitDefaults: SplitOptions = {
  syntheticCharacters: [200_000, 2_000_000],
  includePaper: true,
  warmup: 1,
  rounds: 7,
};

/** A CI-sized run. */
export const splitQuick: SplitOptions = {
  syntheticCharacters: [20_000],
  includePaper: false,
  warmup: 1,
  rounds: 2,
};

/**
 * Above this length LlamaIndex's SentenceSplitter is not run: its time grows with the square of the text
 * (about 0.25 s at 50 kB, 2.5 s at 200 kB here), so 2 MB would take minutes.
 */
const llamaindexMaxCharacters = 300_000;

/**
 * Splits the same texts with docchat's default splitter (1000/200 characters), LangChain's
 * RecursiveCharacterTextSplitter (1000/200 characters) and LlamaIndex's SentenceSplitter. SentenceSplitter
 * counts tokens, so it gets 250/50 tokens, about the same chunk length in characters for English.
 */
export async function benchSplit(options: SplitOptions): Promise<SplitResult[]> {
  const documents: LoadedDocument[] = [];
  if (options.includePaper) {
    const paper = await loadPaper();
    if (paper !== null) documents.push(paper);
  }
  for (const characters of options.syntheticCharacters)
    documents.push(textDocument(`synthetic-${characters / 1000}kB.txt`, syntheticText(characters)));

  const docchat = createRecursiveTextSplitter({ chunkSize: 1000, chunkOverlap: 200 });
  const langchain = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 200 });
  const llamaindex = new SentenceSplitter({ chunkSize: 250, chunkOverlap: 50 });

  const results: SplitResult[] = [];
  for (const document of documents) {
    const ours = docchat.split(document);
    const offsetsExact = ours.every(
      (chunk) =>
        document.text.slice(chunk.start, chunk.end) === chunk.text &&
        (document.pages.length === 0 ? chunk.page === null : chunk.page !== null),
    );
    const theirs = await langchain.splitText(document.text);
    const runLlamaindex = document.text.length <= llamaindexMaxCharacters;
    const llama = runLlamaindex ? llamaindex.splitText(document.text) : null;
    const timings = await compareAlternating(
      {
        docchat: () => docchat.split(document),
        langchain: () => langchain.splitText(document.text),
        ...(runLlamaindex ? { llamaindex: () => llamaindex.splitText(document.text) } : {}),
      },
      { warmup: options.warmup, rounds: options.rounds },
    );
    const median = (name: string): number => timings[name]?.medianMs ?? Number.NaN;
    const mean = (texts: readonly string[]): number =>
      Math.round(texts.reduce((sum, text) => sum + text.length, 0) / Math.max(1, texts.length));
    results.push({
      text: document.source,
      characters: document.text.length,
      pages: document.pages.length,
      ms: round3(median('docchat')),
      langchainMs: round3(median('langchain')),
      llamaindexMs: runLlamaindex ? round3(median('llamaindex')) : null,
      ...(runLlamaindex
        ? {}
        : {
            llamaindexSkipped: `SentenceSplitter is quadratic in the text length; not run above ${llamaindexMaxCharacters} characters.`,
          }),
      speedupVsLangchain: ratio(median('langchain'), median('docchat')),
      speedupVsLlamaindex: runLlamaindex ? ratio(median('llamaindex'), median('docchat')) : null,
      chunks: ours.length,
      langchainChunks: theirs.length,
      llamaindexChunks: llama === null ? null : llama.length,
      meanChunkChars: mean(ours.map((chunk) => chunk.text)),
      langchainMeanChunkChars: mean(theirs),
      llamaindexMeanChunkChars: llama === null ? null : mean(llama),
      offsetsExact,
    });
  }
  return results;
}
