import { type BudgetResult, benchBudget, budgetDefaults, budgetQuick } from './budget.ts';
import { formatTable } from './format-table.ts';
import { benchIngest, type IngestResult, ingestDefaults, ingestQuick } from './ingest.ts';
import { benchLoad, type LoadBenchResult, loadDefaults, loadQuick } from './load.ts';
import { benchOcr, type OcrResult, ocrDefaults, ocrQuick } from './ocr.ts';
import { benchQuery, type QueryResult, queryDefaults, queryQuick } from './query.ts';
import { benchScale, type ScaleResult, scaleDefaults, scaleQuick } from './scale.ts';
import { benchServer, type ServerResult, serverDefaults, serverQuick } from './server.ts';
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
  {
    name: 'ingest',
    run: async (quick) => ({ ingest: await benchIngest(quick ? ingestQuick : ingestDefaults) }),
    table: (figures) =>
      formatTable(
        'Ingestion, upload to ready, ms (medians; after/parse: split+embed+index over parse, target ≤ 0.25)',
        [
          'document',
          'config',
          'total',
          'parse',
          'split',
          'embed',
          'index',
          'after/parse',
          'pdf.js alone',
          'pdftotext',
        ],
        (figures.ingest as IngestResult[]).map((r) => [
          r.document,
          r.config,
          r.totalMs,
          r.parseMs,
          r.splitMs,
          r.embedMs,
          r.indexMs,
          r.afterExtractionShare,
          r.pdfjsMs,
          r.pdftotext ?? r.pdftotextMs,
        ]),
      ),
  },
  {
    name: 'query',
    run: async (quick) => ({ query: await benchQuery(quick ? queryQuick : queryDefaults) }),
    table: (figures) =>
      formatTable(
        'Query, offline, ms from question (medians; cold: the first question a fresh index gets)',
        [
          'document',
          'config',
          'chunks',
          'cold first',
          'cold last',
          'first event',
          'last event',
          'last p90',
          'questions',
          'all done',
        ],
        (figures.query as QueryResult[]).map((r) => [
          r.document,
          r.config,
          r.chunks,
          r.coldFirstEventMs,
          r.coldLastEventMs,
          r.firstEventMs,
          r.lastEventMs,
          r.lastEventP90Ms,
          r.questions,
          r.allDone ? 'yes' : 'NO',
        ]),
      ),
  },
  {
    name: 'server',
    run: async (quick) => ({ server: await benchServer(quick ? serverQuick : serverDefaults) }),
    table: (figures) => {
      const r = figures.server as ServerResult;
      const load = r.load;
      return [
        formatTable(
          `Server time to first token, ms (medians of ${r.ttftSamples}; model waits ${r.modelFirstTokenDelayMs} ms)`,
          ['direct', 'pipeline in-process', 'app in-process', 'through HTTP', 'overhead (target < 5)'],
          [[r.directTtftMs, r.pipelineTtftMs, r.appTtftMs, r.httpTtftMs, r.overheadMs]],
        ),
        '',
        formatTable(
          `${load.sessions} concurrent sessions × ${load.rounds} rounds (upload + streamed ask each)`,
          [
            'errors',
            'TTFT p50',
            'TTFT p99',
            'live MB before → rounds',
            'KB/session',
            'live last/first',
            'RSS MB before → rounds',
            'RSS last/first',
          ],
          [
            [
              load.errors,
              load.ttftP50Ms,
              load.ttftP99Ms,
              `${load.liveBeforeMB.toFixed(0)} → ${load.liveAfterRoundsMB.map((value) => value.toFixed(0)).join(' / ')}`,
              load.memoryPerSessionKB,
              load.growthAfterLastRound,
              `${load.rssBeforeMB.toFixed(0)} → ${load.rssAfterRoundsMB.map((value) => value.toFixed(0)).join(' / ')}`,
              load.rssGrowthAfterLastRound,
            ],
          ],
        ),
      ].join('\n');
    },
  },
  {
    name: 'load',
    run: async (quick) => ({ load: await benchLoad(quick ? loadQuick : loadDefaults) }),
    table: (figures) => {
      const r = figures.load as LoadBenchResult;
      return [
        formatTable(
          `${r.sessions} sessions upload ${(r.uploadBytes / 1e6).toFixed(1)} MB each at once (real server, default limits)`,
          [
            '201',
            'refused',
            'failed',
            'wall ms',
            'health samples',
            'health p50',
            'health p99 (target < 250)',
            'health max',
          ],
          [
            [
              r.uploadsOk,
              r.uploadsRefused,
              r.uploadsFailed,
              r.uploadsWallMs,
              r.healthSamples,
              r.healthP50Ms,
              r.healthP99Ms,
              r.healthMaxMs,
            ],
          ],
        ),
        '',
        formatTable(
          `A crafted PDF (${(r.craftedBytes / 1e6).toFixed(2)} MB decoding to ${(r.craftedDecodedBytes / 1e6).toFixed(0)} MB) and another session's small upload`,
          [
            'crafted status',
            'error',
            'crafted ms',
            'small upload status',
            'small upload ms (target < 2000)',
            'peak RSS MB after the uploads',
            'peak RSS MB, whole run (target < 1024)',
          ],
          [
            [
              r.craftedStatus,
              r.craftedError,
              r.craftedMs,
              r.smallUploadStatus,
              r.smallUploadMs,
              r.peakRssUploadsMB,
              r.peakRssMB,
            ],
          ],
        ),
        '',
        formatTable(
          'Storage (SQLite)',
          [
            'database bytes per uploaded text byte, after the uploads',
            'WAL bytes then',
            'database and WAL bytes after every session was deleted',
          ],
          [[r.storageBytesPerUploadedByte, r.walBytes, r.storageBytesAfterDelete]],
        ),
      ].join('\n');
    },
  },
  {
    name: 'scale',
    run: async (quick) => ({ scale: await benchScale(quick ? scaleQuick : scaleDefaults) }),
    table: (figures) => {
      const r = figures.scale as ScaleResult;
      if (r.skipped !== undefined) return `Scale: skipped (${r.skipped})`;
      return [
        formatTable(
          `The same load through nginx, 1 vs 3 instances on one PostgreSQL (${r.cores} cores; 3/1 = ${r.ratio3to1})`,
          ['instances', 'questions', 'errors', 'questions/s', 'p50 ms', 'p99 ms'],
          r.throughput.map((row) => [
            row.instances,
            row.questions,
            row.errors,
            row.questionsPerSecond,
            row.p50Ms,
            row.p99Ms,
          ]),
        ),
        '',
        formatTable(
          `One session, ms per question by store (PostgreSQL / SQLite = ${r.postgresOverSqlite})`,
          ['store', 'questions', 'median', 'p90'],
          r.latency.map((row) => [row.store, row.questions, row.medianMs, row.p90Ms]),
        ),
      ].join('\n');
    },
  },
  {
    name: 'ocr',
    run: async (quick) => ({ ocr: await benchOcr(quick ? ocrQuick : ocrDefaults) }),
    table: (figures) =>
      formatTable(
        'OCR of a scanned page (render at 300 dpi + Tesseract), ms per page (medians; one core)',
        ['page', 'pixels', 'words', 'ms/page', 'worker start', 'word accuracy'],
        (figures.ocr as OcrResult[]).map((r) => [
          r.page,
          r.pixels,
          r.words,
          r.msPerPage,
          r.startMs,
          r.accuracy,
        ]),
      ),
  },
  {
    name: 'budget',
    run: async (quick) => ({ budget: await benchBudget(quick ? budgetQuick : budgetDefaults) }),
    table: (figures) =>
      formatTable(
        'Prompt budget per question (k = 4 passages of 1,000 chars, 6 earlier messages), ms',
        ['counter', 'window', 'first (load)', 'fit p50', 'loopback TTFT p50', 'fit/TTFT', 'passages given'],
        (figures.budget as BudgetResult[]).map((r) => [
          r.counter,
          r.contextWindow,
          r.firstMs,
          r.fitMs,
          r.ttftMs,
          r.shareOfTtft,
          r.passagesGiven,
        ]),
      ),
  },
];

/** The part names accepted on the command line. */
export const partNames: readonly string[] = benchParts.map((part) => part.name);
