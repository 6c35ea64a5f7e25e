import { existsSync } from 'node:fs';
import os from 'node:os';
import { type AppServer, startAppServer } from '../e2e/support/app-server.ts';
import { type NginxBalancer, nginxPath, startNginxBalancer } from '../e2e/support/nginx-balancer.ts';
import { parseEvents, uploadForm } from '../src/server/test-app.ts';
import { postgresBin, startPostgresCluster } from '../src/test-helpers/postgres-cluster.ts';
import { createTestDatabase, stopTestCluster } from '../src/test-helpers/test-database.ts';
import { syntheticText } from './fixtures.ts';
import { median, quantile, round3 } from './measure.ts';

/** Sizes of the scale part. */
export interface ScaleOptions {
  /** Sessions asking at once through the balancer. */
  sessions: number;
  /** Questions each session asks, one after another. */
  questionsPerSession: number;
  /** Characters of each session's document. */
  documentCharacters: number;
  /** Questions of the one-session latency comparison (after one warm-up question). */
  latencyQuestions: number;
}

export const scaleDefaults: ScaleOptions = {
  sessions: 24,
  questionsPerSession: 10,
  documentCharacters: 60_000,
  latencyQuestions: 30,
};
export const scaleQuick: ScaleOptions = {
  sessions: 6,
  questionsPerSession: 3,
  documentCharacters: 20_000,
  latencyQuestions: 5,
};

/** The same load through nginx in front of `instances` docchat processes on one PostgreSQL. */
export interface ThroughputRow {
  instances: number;
  questions: number;
  errors: number;
  questionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** One session's per-question latency (question POSTed to the last event) with one store. */
export interface LatencyRow {
  store: 'sqlite' | 'postgres';
  questions: number;
  medianMs: number;
  p90Ms: number;
}

/** The scale part's figures; `skipped` says why there are none. */
export interface ScaleResult {
  skipped?: string;
  cores: number;
  throughput: ThroughputRow[];
  /** Questions per second with 3 instances over 1: at most the cores the instances really get. */
  ratio3to1: number | null;
  latency: LatencyRow[];
  /** Median per-question latency with PostgreSQL over SQLite. */
  postgresOverSqlite: number | null;
}

const questions = [
  'What does the report say about the river?',
  'Which season is described?',
  'How are the results measured?',
  'What happened to the village?',
];

/** A browser-like client of one base URL (or, per call, another): keeps its session cookie. */
function client(base: string) {
  let cookie = '';
  return async (path: string, init: RequestInit = {}, to = base): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(`${to}${path}`, { ...init, headers });
    const set = response.headers.getSetCookie()[0];
    if (set !== undefined) cookie = set.split(';')[0] ?? '';
    return response;
  };
}

/** Creates a chat with one document; returns the chat id. */
async function prepareSession(
  call: ReturnType<typeof client>,
  n: number,
  options: ScaleOptions,
): Promise<string> {
  const created = await call('/api/chats', { method: 'POST' });
  if (created.status !== 201) throw new Error(`creating a chat answered ${created.status}`);
  const { id } = (await created.json()) as { id: string };
  const uploaded = await call(`/api/chats/${id}/documents`, {
    method: 'POST',
    body: uploadForm(`report-${n}.txt`, syntheticText(options.documentCharacters, n + 1)),
  });
  if (uploaded.status !== 201) throw new Error(`the upload answered ${uploaded.status}`);
  return id;
}

/** Asks one question; returns its latency in ms, or `null` when it failed. */
async function askOnce(
  call: ReturnType<typeof client>,
  chatId: string,
  question: string,
  to?: string,
): Promise<number | null> {
  const started = performance.now();
  const response = await call(
    `/api/chats/${chatId}/messages`,
    { method: 'POST', body: JSON.stringify({ question }), headers: { 'content-type': 'application/json' } },
    to,
  );
  if (response.status !== 200) return null;
  const events = parseEvents(await response.text());
  return events.at(-1)?.type === 'done' ? performance.now() - started : null;
}

async function measureThroughput(
  databaseUrl: string,
  instanceCount: number,
  options: ScaleOptions,
): Promise<ThroughputRow> {
  const instances: AppServer[] = [];
  let balancer: NginxBalancer | undefined;
  try {
    for (let i = 0; i < instanceCount; i++) {
      instances.push(
        await startAppServer({ DOCCHAT_DATABASE_URL: databaseUrl, DOCCHAT_INSTANCE_ID: `i${i}` }),
      );
    }
    balancer = await startNginxBalancer(instances.map((instance) => instance.url));
    const base = balancer.url;
    const sessions = await Promise.all(
      Array.from({ length: options.sessions }, async (_, n) => {
        const call = client(base);
        return { call, chatId: await prepareSession(call, n, options) };
      }),
    );
    // One warm-up question per session on every instance (directly, past the balancer), so each instance has
    // built every index it will be asked about: the figures are steady state, not first loads.
    for (const instance of instances) {
      await Promise.all(sessions.map(({ call, chatId }) => askOnce(call, chatId, 'Warm up?', instance.url)));
    }
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      sessions.map(async ({ call, chatId }) => {
        for (let q = 0; q < options.questionsPerSession; q++) {
          const ms = await askOnce(call, chatId, questions[q % questions.length] as string);
          if (ms === null) errors++;
          else latencies.push(ms);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      instances: instanceCount,
      questions: latencies.length + errors,
      errors,
      questionsPerSecond: round3(latencies.length / seconds),
      p50Ms: round3(median(latencies)),
      p99Ms: round3(quantile(latencies, 0.99)),
    };
  } finally {
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
  }
}

async function measureLatency(
  store: LatencyRow['store'],
  env: Record<string, string>,
  options: ScaleOptions,
): Promise<LatencyRow> {
  const server = await startAppServer(env);
  try {
    const call = client(server.url);
    const chatId = await prepareSession(call, 0, options);
    await askOnce(call, chatId, 'Warm up?');
    const samples: number[] = [];
    for (let q = 0; q < options.latencyQuestions; q++) {
      const ms = await askOnce(call, chatId, questions[q % questions.length] as string);
      if (ms === null) throw new Error(`a question failed with the ${store} store`);
      samples.push(ms);
    }
    return {
      store,
      questions: samples.length,
      medianMs: round3(median(samples)),
      p90Ms: round3(quantile(samples, 0.9)),
    };
  } finally {
    await server.stop();
  }
}

/**
 * The same load through nginx in front of 1 and of 3 instances on one PostgreSQL, and one session's
 * per-question latency with the PostgreSQL store against SQLite. Skipped without PostgreSQL or nginx.
 */
export async function benchScale(options: ScaleOptions): Promise<ScaleResult> {
  const cores = os.availableParallelism();
  const empty = { cores, throughput: [], ratio3to1: null, latency: [], postgresOverSqlite: null };
  const haveDatabase = Boolean(process.env.DOCCHAT_TEST_DATABASE_URL) || existsSync(`${postgresBin}/initdb`);
  if (!haveDatabase) return { ...empty, skipped: `PostgreSQL 15 is missing at ${postgresBin}` };
  if (!existsSync(nginxPath)) return { ...empty, skipped: `nginx is missing at ${nginxPath}` };
  // Started here when no server is given, so `npm run bench -- scale` works without the CI wrapper.
  const own = process.env.DOCCHAT_TEST_DATABASE_URL ? null : await startPostgresCluster();
  if (own !== null) process.env.DOCCHAT_TEST_DATABASE_URL = own.url;
  try {
    const one = await measureThroughput(await createTestDatabase(), 1, options);
    const three = await measureThroughput(await createTestDatabase(), 3, options);
    const sqlite = await measureLatency('sqlite', {}, options);
    const postgres = await measureLatency(
      'postgres',
      { DOCCHAT_DATABASE_URL: await createTestDatabase() },
      options,
    );
    return {
      cores,
      throughput: [one, three],
      ratio3to1: round3(three.questionsPerSecond / one.questionsPerSecond),
      latency: [sqlite, postgres],
      postgresOverSqlite: round3(postgres.medianMs / sqlite.medianMs),
    };
  } finally {
    await stopTestCluster();
    if (own !== null) {
      delete process.env.DOCCHAT_TEST_DATABASE_URL;
      own.destroy();
    }
  }
}
