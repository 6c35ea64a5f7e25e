import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { buildDecompressionBombPdf } from '../src/test-helpers/pdf-fixtures.ts';
import { syntheticText } from './fixtures.ts';
import { median, quantile, round3 } from './measure.ts';
import { type RunningServer, startServer } from './server.ts';

/** The `load` part's figures: the server under concurrent heavy uploads and a crafted PDF. */
export interface LoadBenchResult {
  sessions: number;
  uploadBytes: number;
  /** Uploads answered 201, and refused (429 / 503: quotas or a full parse queue). */
  uploadsOk: number;
  uploadsRefused: number;
  uploadsFailed: number;
  /** From the first upload sent to the last answered. */
  uploadsWallMs: number;
  /** `/api/health` latency while the uploads run. Target p99 < 250 ms. */
  healthSamples: number;
  healthP50Ms: number;
  healthP99Ms: number;
  healthMaxMs: number;
  /** The crafted PDF: its size, what it decodes to, the status it got and how long until it did. */
  craftedBytes: number;
  craftedDecodedBytes: number;
  craftedStatus: number;
  craftedError: string;
  craftedMs: number;
  /** Another session's small upload, sent while the crafted PDF is being parsed. Target < 2 s. */
  smallUploadStatus: number;
  smallUploadMs: number;
  /** Peak resident memory of the server process (VmHWM) over the whole run. Target < 1 GB. */
  peakRssMB: number;
  /** The same peak read when the concurrent uploads had all been answered, before the crafted PDF. */
  peakRssUploadsMB: number;
  /**
   * The SQLite database file per byte of text uploaded, after the uploads and a checkpoint. The store keeps each document's
   * passages (their text once, though chunks overlap), its original file, and the text its positions point into.
   */
  storageBytesPerUploadedByte: number;
  /** The write-ahead log after the uploads, in bytes: bounded by the checkpoint and `DOCCHAT_SQLITE_WAL_LIMIT_MB`. */
  walBytes: number;
  /** The database and WAL after every session was deleted (`DELETE /api/session`): what deletion gives back. */
  storageBytesAfterDelete: number;
}

/** Sizes of the `load` part. */
export interface LoadBenchOptions {
  sessions: number;
  uploadCharacters: number;
  craftedDecodedBytes: number;
  healthIntervalMs: number;
}

/** The full run: the 60 sessions × 2 MB and a 300 MB decompression bomb. */
export const loadDefaults: LoadBenchOptions = {
  sessions: 60,
  uploadCharacters: 2_000_000,
  craftedDecodedBytes: 300_000_000,
  healthIntervalMs: 10,
};

/** CI's `--quick`: a few sessions and small files, the same shape. */
export const loadQuick: LoadBenchOptions = {
  sessions: 6,
  uploadCharacters: 200_000,
  craftedDecodedBytes: 50_000_000,
  healthIntervalMs: 10,
};

/** One browser: a session cookie and a chat. */
async function openChat(server: RunningServer): Promise<{ cookie: string; chatId: string }> {
  const response = await fetch(`${server.url}/api/chats`, { method: 'POST' });
  if (response.status !== 201) throw new Error(`creating a chat answered ${response.status}`);
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const { id } = (await response.json()) as { id: string };
  return { cookie, chatId: id };
}

async function upload(
  server: RunningServer,
  browser: { cookie: string; chatId: string },
  name: string,
  data: Uint8Array,
): Promise<{ status: number; error: string; ms: number }> {
  const form = new FormData();
  form.append('file', new File([new Uint8Array(data)], name));
  const started = performance.now();
  const response = await fetch(`${server.url}/api/chats/${browser.chatId}/documents`, {
    method: 'POST',
    body: form,
    headers: { cookie: browser.cookie },
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, error: body.error ?? '', ms: performance.now() - started };
}

/** Polls `/api/health` until `stop` resolves; returns each request's latency. */
async function pollHealth(
  server: RunningServer,
  intervalMs: number,
  stop: Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void stop.finally(() => {
    done = true;
  });
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/health`);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return latencies;
}

/**
 * Bytes of the server's SQLite database and of its write-ahead log. `checkpoint` first copies what the WAL holds
 * into the database file (a passive checkpoint, which SQLite lets any connection run beside the server's), so the
 * file's size is what the data takes, in a small run too.
 */
function storageBytes(dataDir: string, options: { checkpoint: boolean }): { database: number; wal: number } {
  const path = join(dataDir, 'docchat.sqlite');
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  const wal = size(`${path}-wal`);
  if (options.checkpoint) {
    const db = new DatabaseSync(path);
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    db.close();
  }
  return { database: size(path), wal };
}

function peakRssMB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/**
 * Runs the real server (`src/server/main.ts`, offline defaults, every limit at its default) and, in one run:
 * `sessions` browsers each upload a text file of `uploadCharacters` at once while `/api/health` is polled; then
 * one browser uploads a crafted PDF (a deflated stream decoding to `craftedDecodedBytes` of text operators) and,
 * while it is parsed, another uploads a small file; then every session is deleted. Reports health latency, both
 * upload times, peak RSS, and the storage after the uploads and after the deletes.
 */
export async function benchLoad(options: LoadBenchOptions): Promise<LoadBenchResult> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'docchat-bench-load-'));
  // All sessions come from 127.0.0.1, so the per-address quota of new sessions is lifted; nothing else is.
  const server = await startServer({
    DOCCHAT_DATA_DIR: dataDir,
    DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE: '1000000',
  });
  try {
    const browsers = await Promise.all(Array.from({ length: options.sessions }, () => openChat(server)));
    const files = browsers.map((_, i) =>
      new TextEncoder().encode(syntheticText(options.uploadCharacters, i + 1)),
    );

    const started = performance.now();
    const uploads = Promise.all(
      browsers.map((browser, i) => upload(server, browser, `report-${i}.txt`, files[i] as Uint8Array)),
    );
    const health = await pollHealth(server, options.healthIntervalMs, uploads);
    const results = await uploads;
    const uploadsWallMs = performance.now() - started;
    const peakRssUploads = peakRssMB(server.pid);

    const crafted = await buildDecompressionBombPdf({ decodedBytes: options.craftedDecodedBytes });
    const [attacker, bystander] = await Promise.all([openChat(server), openChat(server)]);
    const attack = upload(server, attacker, 'crafted.pdf', crafted);
    // Let the crafted file reach a parser first, as it would in the wild.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const small = await upload(
      server,
      bystander,
      'note.txt',
      new TextEncoder().encode('A small note about the Calvin cycle.'),
    );
    const refused = await attack;

    const stored = results.reduce(
      (sum, result, i) => sum + (result.status === 201 ? (files[i]?.length ?? 0) : 0),
      0,
    );
    const afterIngest = storageBytes(dataDir, { checkpoint: true });
    for (const browser of [...browsers, attacker, bystander]) {
      await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie: browser.cookie } });
    }
    const afterDelete = storageBytes(dataDir, { checkpoint: false });

    return {
      sessions: options.sessions,
      uploadBytes: files[0]?.length ?? 0,
      uploadsOk: results.filter((result) => result.status === 201).length,
      uploadsRefused: results.filter((result) => result.status === 429 || result.status === 503).length,
      uploadsFailed: results.filter((result) => ![201, 429, 503].includes(result.status)).length,
      uploadsWallMs: Math.round(uploadsWallMs),
      healthSamples: health.length,
      healthP50Ms: round3(median(health)),
      healthP99Ms: round3(quantile(health, 0.99)),
      healthMaxMs: round3(Math.max(...health)),
      craftedBytes: crafted.length,
      craftedDecodedBytes: options.craftedDecodedBytes,
      craftedStatus: refused.status,
      craftedError: refused.error,
      craftedMs: Math.round(refused.ms),
      smallUploadStatus: small.status,
      smallUploadMs: round3(small.ms),
      peakRssMB: Math.round(peakRssMB(server.pid)),
      peakRssUploadsMB: Math.round(peakRssUploads),
      storageBytesPerUploadedByte: round3(afterIngest.database / Math.max(1, stored)),
      walBytes: afterIngest.wal,
      storageBytesAfterDelete: afterDelete.database + afterDelete.wal,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
