import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nginxAvailability } from '../e2e/support/nginx-balancer.ts';
import { postgresAvailability } from '../src/test-helpers/postgres-cluster.ts';
import { compareAlternating, median, quantile } from './measure.ts';
import { benchParts } from './parts.ts';
import type { ScaleResult } from './scale.ts';

const run = promisify(execFile);
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs one part in quick mode exactly as `npm run -s bench -- <part> --json --quick` does. */
async function runPart(part: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [main, part, '--json', '--quick'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

describe('measure', () => {
  it('takes medians and nearest-rank quantiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(quantile([5, 1, 4, 2, 3], 0.99)).toBe(5);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
  });

  it('runs every side once per round, alternating which goes first, after the warm-up', async () => {
    const order: string[] = [];
    const timings = await compareAlternating(
      { a: () => order.push('a'), b: () => order.push('b') },
      { warmup: 1, rounds: 3 },
    );
    expect(order).toEqual(['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
    expect(timings.a?.samplesMs).toHaveLength(3);
    expect(timings.b?.medianMs).toBeGreaterThanOrEqual(0);
  });
});

// The quick suite, so the benchmarks cannot rot: every part runs and reports well-formed, consistent figures.
describe('npm run bench -- <part> --json --quick', () => {
  it('knows the nine parts', () => {
    expect(benchParts.map((part) => part.name)).toEqual([
      'vector-search',
      'split',
      'ingest',
      'query',
      'server',
      'load',
      'scale',
      'ocr',
      'budget',
    ]);
  });

  it('budget: every counter fits passages and is timed against a first token', async () => {
    const rows = (await runPart('budget')).budget as Record<string, number>[];
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.passagesGiven).toBeGreaterThan(0);
      expect(row.contextWindow).toBe(4096);
      expect(row.ttftMs).toBeGreaterThan(0);
    }
  });

  it('vector-search: every side returns the same top-4', async () => {
    const result = await runPart('vector-search');
    const rows = result.vectorSearch as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ sameTopK: true, k: 4 });
      for (const key of ['n', 'dim', 'ms', 'langchainMs', 'llamaindexMs', 'boundMs'])
        expect(row[key]).toBeGreaterThan(0);
    }
  });

  it('split: docchat chunks keep exact offsets', async () => {
    const rows = (await runPart('split')).split as Record<string, unknown>[];
    for (const row of rows) {
      expect(row.offsetsExact).toBe(true);
      expect(row.chunks).toBeGreaterThan(0);
      expect(row.langchainMs).toBeGreaterThan(0);
    }
  });

  it('ingest: stages add up to at most the total', async () => {
    const rows = (await runPart('ingest')).ingest as Record<string, number>[];
    for (const row of rows) {
      const stages = (row.parseMs ?? 0) + (row.splitMs ?? 0) + (row.embedMs ?? 0) + (row.indexMs ?? 0);
      expect(row.chunks).toBeGreaterThan(0);
      expect(stages).toBeLessThanOrEqual((row.totalMs ?? 0) * 1.001 + 0.01);
    }
  });

  it('query: every answer ends with done, first event before last', async () => {
    const rows = (await runPart('query')).query as Record<string, unknown>[];
    for (const row of rows) {
      expect(row.allDone).toBe(true);
      expect(row.firstEventMs as number).toBeLessThanOrEqual(row.lastEventMs as number);
    }
  });

  it.skipIf(!postgresAvailability({ needsBinaries: true }).available || !nginxAvailability().available)(
    'scale: 1 and 3 instances answer every question, with both stores',
    async () => {
      const scale = (await runPart('scale')).scale as ScaleResult;
      expect(scale.skipped).toBeUndefined();
      expect(scale.throughput.map((row) => [row.instances, row.errors])).toEqual([
        [1, 0],
        [3, 0],
      ]);
      for (const row of scale.throughput) expect(row.questionsPerSecond).toBeGreaterThan(0);
      expect(scale.latency.map((row) => row.store)).toEqual(['sqlite', 'postgres']);
      expect(scale.postgresOverSqlite).toBeGreaterThan(0);
    },
    120_000,
  );

  it('server: sessions upload and ask without errors', async () => {
    const server = (await runPart('server')).server as {
      load: Record<string, unknown>;
      directTtftMs: number;
    };
    expect(server.load.errors).toBe(0);
    expect(server.load.rssAfterRoundsMB).toHaveLength(3);
    expect(server.load.liveAfterRoundsMB).toHaveLength(3);
    // The fake model waits 50 ms before its first token, so a direct call cannot be faster.
    expect(server.directTtftMs).toBeGreaterThanOrEqual(50);
  });

  it('load: every upload is stored, the crafted PDF is refused and the small upload served', async () => {
    const load = (await runPart('load')).load as Record<string, number | string>;
    expect(load.uploadsOk).toBe(load.sessions);
    expect(load.uploadsFailed).toBe(0);
    expect(load.craftedStatus).toBe(422);
    expect(load.craftedError).toBe('document_too_large');
    expect(load.smallUploadStatus).toBe(201);
    expect(load.healthSamples).toBeGreaterThan(0);
    expect(load.peakRssMB).toBeGreaterThan(0);
    // The passages, the original file and the text the viewer's positions point into; deleting gives it back.
    // Text, layout and file are deflated: well under the target of 1.5 per byte, yet not nothing.
    expect(load.storageBytesPerUploadedByte).toBeGreaterThan(0.1);
    expect(load.storageBytesPerUploadedByte).toBeLessThan(1.5);
    expect(load.storageBytesAfterDelete).toBeLessThan(load.uploadBytes as number);
  }, 120_000);
  it('ocr: a scanned page is read with high accuracy, its time measured', async () => {
    const rows = (await runPart('ocr')).ocr as Record<string, number>[];
    expect(rows).toHaveLength(1);
    for (const row of rows) {
      expect(row.msPerPage).toBeGreaterThan(0);
      expect(row.words).toBeGreaterThan(10);
      expect(row.accuracy).toBeGreaterThanOrEqual(0.95);
    }
  }, 180_000);
});
