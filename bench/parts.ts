import { formatTable } from './format-table.ts';
import { benchSplit, type SplitResult, splitDefaults, splitQuick } from './split.ts';
import {
  benchVectorSearch,
  type VectorSearchResult,
  vectorSearchDefaults,
  vectorSearchQuick,
} from './vector-search.ts';

/** One part of the benchmark suite: how to run it and how to show its figures. */
export interface BenchPart {
  name: string;
  /** Runs the part; the result is the part's JSON object (e.g. `{ vectorSearch: [...] }`). */
  run(quick: boolean): Promise<Record<string, unknown>>;
  /** The figures as a plain-text table. */
  table(figures: Record<string, unknown>): string;
}

/** Every part, in the order `npm run bench` runs them. */
export const benchParts: readonly BenchPart[] = [
  {
    name: 'vector-search',
    run: async (quick) => ({
      vectorSearch: await benchVectorSearch(quick ? vectorSearchQuick : vectorSearchDefaults),
    }),
    table: (figures) =>
      formatTable(
        'Vector search, top-4, ms per query (medians; ×: how many times slower than docchat)',
        [
          'n',
          'dim',
          'docchat',
          'docchat js',
          'LangChain',
          '×',
          'LlamaIndex',
          '×',
          'bound',
          'docchat/bound',
          'GB/s',
          'same top-4',
        ],
        (figures.vectorSearch as VectorSearchResult[]).map((r) => [
          r.n,
          r.dim,
          r.ms,
          r.jsMs,
          r.langchainMs,
          r.speedupVsLangchain,
          r.llamaindexMs,
          r.speedupVsLlamaindex,
          r.boundMs,
          r.timesBound,
          r.readBandwidthGBs,
          r.sameTopK ? 'yes' : 'NO',
        ]),
      ),
  },
  {
    name: 'split',
    run: async (quick) => ({ split: await benchSplit(quick ? splitQuick : splitDefaults) }),
    table: (figures) =>
      formatTable(
        'Splitting, ms per whole text (medians; ×: how many times slower than docchat)',
        ['text', 'chars', 'docchat', 'LangChain', '×', 'LlamaIndex', '×', 'chunks d/LC/LI', 'offsets exact'],
        (figures.split as SplitResult[]).map((r) => [
          r.text,
          r.characters,
          r.ms,
          r.langchainMs,
          r.speedupVsLangchain,
          r.llamaindexMs,
          r.speedupVsLlamaindex,
          `${r.chunks}/${r.langchainChunks}/${r.llamaindexChunks ?? '–'}`,
          r.offsetsExact ? 'yes' : 'NO',
        ]),
      ),
  },
];

/** The part names accepted on the command line. */
export const partNames: readonly string[] = benchParts.map((part) => part.name);
