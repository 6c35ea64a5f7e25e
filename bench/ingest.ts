import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { loadConfig } from '../src/config.ts';
import type { LoadInput } from '../src/loaders/loader.ts';
import { createRag, type Rag } from '../src/pipeline/create-rag.ts';
import { readPaper, syntheticText } from './fixtures.ts';
import { compareAlternating, median, ratio, round3 } from './measure.ts';

const execFileAsync = promisify(execFile);

/** One document's ingestion figures under one configuration: medians in ms. */
export interface IngestResult {
  document: string;
  /** Which offline configuration ingested it. */
  config: string;
  bytes: number;
  characters: number;
  chunks: number;
  /** Upload to ready: bytes in, searchable index out. */
  totalMs: number;
  parseMs: number;
  splitMs: number;
  embedMs: number;
  indexMs: number;
  /** `(split + embed + index) / parse`: the target is at most 0.25. */
  afterExtractionShare: number;
  /** Text extraction alone through pdf.js (`getTextContent` on every page), same run; PDFs only. */
  pdfjsMs: number | null;
  /** Text extraction alone through poppler's `pdftotext`, same run; `null` when it is not installed. */
  pdftotextMs: number | null;
  pdftotext?: 'unavailable';
}

/** Sizes and repetitions of the ingest part. */
export interface IngestOptions {
  textCharacters: number;
  includePaper: boolean;
  warmup: number;
  rounds: number;
}

/** The full run. */
export const ingestDefaults: IngestOptions = {
  textCharacters: 2_000_000,
  includePaper: true,
  warmup: 1,
  rounds: 5,
};

/** A CI-sized run. */
export const ingestQuick: IngestOptions = {
  textCharacters: 50_000,
  includePaper: false,
  warmup: 0,
  rounds: 1,
};

/** The offline configurations measured: the default (lexical) and hybrid retrieval with the local embedder. */
const configurations: readonly { name: string; env: Record<string, string> }[] = [
  { name: 'offline default (lexical)', env: {} },
  { name: 'offline hybrid (local embedder)', env: { DOCCHAT_RETRIEVER: 'hybrid' } },
];

/**
 * Ingests the paper and a 2 MB text file offline through `createRag(...).ingest`, and beside it extracts the
 * paper's text with pdf.js alone and with `pdftotext`, alternating in the same rounds.
 */
export async function benchIngest(options: IngestOptions): Promise<IngestResult[]> {
  const inputs: LoadInput[] = [];
  if (options.includePaper) {
    const paper = await readPaper();
    if (paper !== null) inputs.push({ name: 'DeepSeek_R1.pdf', data: paper });
  }
  const text = syntheticText(options.textCharacters);
  inputs.push({
    name: `synthetic-${options.textCharacters / 1000}kB.txt`,
    data: new TextEncoder().encode(text),
  });

  const pdftotextAvailable = spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined;
  const scratch = mkdtempSync(join(os.tmpdir(), 'docchat-bench-'));
  const results: IngestResult[] = [];
  try {
    for (const configuration of configurations) {
      const rag = createRag(loadConfig(configuration.env));
      for (const input of inputs) {
        const isPdf = input.name.endsWith('.pdf');
        const pdfPath = join(scratch, input.name);
        if (isPdf) writeFileSync(pdfPath, input.data);
        const stages = {
          parse: [] as number[],
          split: [] as number[],
          embed: [] as number[],
          index: [] as number[],
        };
        let characters = 0;
        let chunks = 0;
        const timings = await compareAlternating(
          {
            docchat: async () => {
              const result = await ingestOnce(rag, input);
              stages.parse.push(result.timings.parseMs);
              stages.split.push(result.timings.splitMs);
              stages.embed.push(result.timings.embedMs);
              stages.index.push(result.timings.indexMs);
              characters = result.document.text.length;
              chunks = result.chunks.length;
            },
            ...(isPdf ? { pdfjs: () => extractWithPdfjs(input.data) } : {}),
            ...(isPdf && pdftotextAvailable
              ? { pdftotext: () => execFileAsync('pdftotext', ['-q', pdfPath, '-']) }
              : {}),
          },
          { warmup: options.warmup, rounds: options.rounds },
        );
        // The stage lists include warm-up runs; keep the timed ones only.
        const timed = (values: number[]): number => median(values.slice(options.warmup));
        const parseMs = timed(stages.parse);
        const after = timed(stages.split) + timed(stages.embed) + timed(stages.index);
        results.push({
          document: input.name,
          config: configuration.name,
          bytes: input.data.length,
          characters,
          chunks,
          totalMs: round3(timings.docchat?.medianMs ?? Number.NaN),
          parseMs: round3(parseMs),
          splitMs: round3(timed(stages.split)),
          embedMs: round3(timed(stages.embed)),
          indexMs: round3(timed(stages.index)),
          afterExtractionShare: ratio(after, parseMs),
          pdfjsMs: isPdf ? round3(timings.pdfjs?.medianMs ?? Number.NaN) : null,
          pdftotextMs: isPdf && pdftotextAvailable ? round3(timings.pdftotext?.medianMs ?? Number.NaN) : null,
          ...(isPdf && !pdftotextAvailable ? { pdftotext: 'unavailable' as const } : {}),
        });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

async function ingestOnce(rag: Rag, input: LoadInput) {
  return rag.ingest(input, rag.createIndex());
}

/** The plainest pdf.js text extraction: every page's text items joined, with the loader's safety options. */
async function extractWithPdfjs(data: Uint8Array): Promise<string> {
  const task = getDocument({
    data: new Uint8Array(data),
    verbosity: VerbosityLevel.ERRORS,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    disableAutoFetch: true,
    disableStream: true,
    disableRange: true,
  });
  try {
    const document = await task.promise;
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
      page.cleanup();
    }
    return pages.join('\n\n');
  } finally {
    await task.destroy();
  }
}
