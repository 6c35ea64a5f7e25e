import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createOpenAIChatModel } from '../src/chat-models/openai-chat-model.ts';
import { loadConfig } from '../src/config.ts';
import type { RagEvent } from '../src/core/events.ts';
import { createRag } from '../src/pipeline/create-rag.ts';
import type { SearchIndex } from '../src/retrieval/search-index.ts';
import { startTestApp } from '../src/server/test-app.ts';
import { startFakeOpenAIServer } from '../src/test-helpers/fake-openai-server.ts';
import { syntheticText } from './fixtures.ts';
import { compareAlternating, median, quantile, round3 } from './measure.ts';

/** The server part's figures. */
export interface ServerResult {
  /** The fake model's fixed wait before its first token, in ms. */
  modelFirstTokenDelayMs: number;
  /** Median time to first token calling the chat model directly. */
  directTtftMs: number;
  /** Median time to first `text-delta` from the in-process pipeline (`rag.ask`: retrieval, prompt, model), first question on an index. */
  pipelineTtftMs: number;
  /** Median time to first `text-delta` from the HTTP app called in-process (`app.request`, no socket). */
  appTtftMs: number;
  /** Median time to first `text-delta` through the HTTP API (question POSTed, events streamed). */
  httpTtftMs: number;
  /** `httpTtftMs - directTtftMs`: what the server adds. Target below 5 ms. */
  overheadMs: number;
  ttftSamples: number;
  load: LoadResult;
}

/** The concurrent-sessions figures. */
export interface LoadResult {
  sessions: number;
  rounds: number;
  /** Failed requests or `error` events over all rounds. */
  errors: number;
  /** Time to first `text-delta` per session, over all rounds. */
  ttftP50Ms: number;
  ttftP99Ms: number;
  /** Server resident memory before the first round and after each round, in MB. */
  rssBeforeMB: number;
  rssAfterRoundsMB: number[];
  /** Live memory (heap used + external + array buffers, after a full collection) before and after each round, MB. */
  liveBeforeMB: number;
  liveAfterRoundsMB: number[];
  /** The JS heap part of the live memory after each round, MB (the rest is `external`: buffers outside it). */
  heapAfterRoundsMB: number[];
  /** (live memory after round 1 - before) / sessions. */
  memoryPerSessionKB: number;
  /** Live memory after the last round / after round 1. Target at most 1.10. */
  growthAfterLastRound: number;
  /** RSS after the last round / after round 1 (RSS also holds heap the collector has not handed back). */
  rssGrowthAfterLastRound: number;
}

/** Sizes and repetitions of the server part. */
export interface ServerOptions {
  ttftWarmup: number;
  ttftRounds: number;
  sessions: number;
  rounds: number;
  documentCharacters: number;
  /** Pause before each memory reading, so streams close and garbage is collected. */
  settleMs: number;
}

/** The full run. */
export const serverDefaults: ServerOptions = {
  ttftWarmup: 5,
  ttftRounds: 30,
  sessions: 200,
  rounds: 3,
  documentCharacters: 20_000,
  settleMs: 1000,
};

/** A CI-sized run. */
export const serverQuick: ServerOptions = {
  ttftWarmup: 1,
  ttftRounds: 3,
  sessions: 5,
  rounds: 3,
  documentCharacters: 5_000,
  settleMs: 50,
};

const firstTokenDelayMs = 50;
const reply = 'The document says the reward improves the policy [1], as the evaluation shows [2].';
const question = 'How does the reward improve the policy?';

/**
 * Runs the real server (`src/server/main.ts`) as a child process on 127.0.0.1 with the fake OpenAI-compatible
 * model on loopback, then measures time to first token through HTTP against the same model called directly,
 * and `sessions` concurrent sessions that each upload and ask with streaming, `rounds` times.
 */
export async function benchServer(options: ServerOptions): Promise<ServerResult> {
  const fake = await startFakeOpenAIServer({ reply, firstTokenDelayMs, tokenDelayMs: 0 });
  const dataDir = mkdtempSync(join(os.tmpdir(), 'docchat-bench-server-'));
  // Every session comes from 127.0.0.1: the per-address quota of new sessions is not what this part measures.
  const server = await startServer({
    OPENAI_BASE_URL: fake.url,
    DOCCHAT_CHAT_MODEL: 'gpt-4o-mini',
    DOCCHAT_DATA_DIR: dataDir,
    DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE: '1000000',
  });
  try {
    const document = syntheticText(options.documentCharacters, 3);
    const model = createOpenAIChatModel({ baseURL: fake.url, apiKey: 'sk-bench', model: 'gpt-4o-mini' });
    const direct = async () => {
      const started = performance.now();
      const request = {
        messages: [{ role: 'user' as const, content: question }],
        question,
        query: question,
        sources: [],
        kind: 'question' as const,
        overviews: [],
      };
      let firstAt = Number.NaN;
      for await (const _delta of model.stream(request))
        if (Number.isNaN(firstAt)) firstAt = performance.now();
      return firstAt - started;
    };
    // The same configuration as the server's, in this process: what the pipeline adds before the model.
    const rag = createRag(loadConfig({ OPENAI_BASE_URL: fake.url, DOCCHAT_CHAT_MODEL: 'gpt-4o-mini' }));
    // Like the HTTP samples, each pipeline sample is the first question on a fresh index (built untimed):
    // per-index work done on the first question (such as finding the acronyms a document defines) is counted.
    const indexes: SearchIndex[] = [];
    for (let i = 0; i < options.ttftWarmup + options.ttftRounds; i++) {
      const index = rag.createIndex();
      await rag.ingest({ name: 'notes.txt', data: new TextEncoder().encode(document) }, index);
      indexes.push(index);
    }
    const pipeline = async () => {
      const index = indexes.shift();
      if (index === undefined) throw new Error('no prepared index left');
      const started = performance.now();
      let firstAt = Number.NaN;
      for await (const event of rag.ask(index, question))
        if (event.type === 'text-delta' && Number.isNaN(firstAt)) firstAt = performance.now();
      return firstAt - started;
    };
    // Each HTTP sample asks in a fresh chat of its own (set up untimed), so no sample pays for history.
    const client = new Client(server.url, fetch);
    const inProcess = startTestApp({ env: { OPENAI_BASE_URL: fake.url, DOCCHAT_CHAT_MODEL: 'gpt-4o-mini' } });
    const appClient = new Client('http://localhost', (input, init) => inProcess.app.request(input, init));
    const ready: string[] = [];
    const readyInProcess: string[] = [];
    const total = options.ttftWarmup + options.ttftRounds;
    for (let i = 0; i < total; i++) {
      for (const [target, list] of [
        [client, ready],
        [appClient, readyInProcess],
      ] as const) {
        const chatId = await target.createChat();
        await target.upload(chatId, 'notes.txt', document);
        list.push(chatId);
      }
    }
    const samples = {
      direct: [] as number[],
      pipeline: [] as number[],
      app: [] as number[],
      http: [] as number[],
    };
    let round = 0;
    await compareAlternating(
      {
        direct: async () => samples.direct.push(await direct()),
        pipeline: async () => samples.pipeline.push(await pipeline()),
        app: async () => {
          const chatId = readyInProcess.shift();
          if (chatId === undefined) throw new Error('no prepared chat left');
          samples.app.push((await appClient.ask(chatId, question)).ttftMs);
        },
        http: async () => {
          const chatId = ready.shift();
          if (chatId === undefined) throw new Error('no prepared chat left');
          samples.http.push((await client.ask(chatId, question)).ttftMs);
          round++;
        },
      },
      { warmup: options.ttftWarmup, rounds: options.ttftRounds },
    );
    const directTtft = median(samples.direct.slice(options.ttftWarmup));
    const httpTtft = median(samples.http.slice(options.ttftWarmup));
    const pipelineTtft = median(samples.pipeline.slice(options.ttftWarmup));
    const appTtft = median(samples.app.slice(options.ttftWarmup));
    await inProcess.shutdown();

    const load = await loadTest(server, document, options);
    return {
      modelFirstTokenDelayMs: firstTokenDelayMs,
      directTtftMs: round3(directTtft),
      pipelineTtftMs: round3(pipelineTtft),
      appTtftMs: round3(appTtft),
      httpTtftMs: round3(httpTtft),
      overheadMs: round3(httpTtft - directTtft),
      ttftSamples: round - options.ttftWarmup,
      load,
    };
  } finally {
    await server.stop();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function loadTest(
  server: RunningServer,
  document: string,
  options: ServerOptions,
): Promise<LoadResult> {
  await settle(options.settleMs);
  const rssBefore = server.rssMB();
  const liveBefore = (await server.liveMB()).live;
  const rssAfter: number[] = [];
  const liveAfter: number[] = [];
  const heapAfter: number[] = [];
  const ttfts: number[] = [];
  let errors = 0;
  for (let round = 0; round < options.rounds; round++) {
    const outcomes = await Promise.all(
      Array.from({ length: options.sessions }, async (_, session) => {
        // A new client is a new browser: no cookie, so the server opens a new session.
        const client = new Client(server.url, fetch);
        try {
          const chatId = await client.createChat();
          await client.upload(chatId, `session-${round}-${session}.txt`, document);
          return await client.ask(chatId, question);
        } catch {
          return null;
        }
      }),
    );
    for (const outcome of outcomes) {
      if (outcome === null || !outcome.done) errors++;
      else ttfts.push(outcome.ttftMs);
    }
    await settle(options.settleMs);
    rssAfter.push(server.rssMB());
    const usage = await server.liveMB();
    liveAfter.push(usage.live);
    heapAfter.push(usage.heap);
  }
  const first = liveAfter[0] ?? Number.NaN;
  const growth = (values: number[]): number =>
    Math.round(((values.at(-1) ?? Number.NaN) / (values[0] ?? Number.NaN)) * 1000) / 1000;
  return {
    sessions: options.sessions,
    rounds: options.rounds,
    errors,
    ttftP50Ms: round3(quantile(ttfts, 0.5)),
    ttftP99Ms: round3(quantile(ttfts, 0.99)),
    rssBeforeMB: round3(rssBefore),
    rssAfterRoundsMB: rssAfter.map(round3),
    liveBeforeMB: round3(liveBefore),
    liveAfterRoundsMB: liveAfter.map(round3),
    heapAfterRoundsMB: heapAfter.map(round3),
    memoryPerSessionKB: Math.round(((first - liveBefore) * 1024) / options.sessions),
    growthAfterLastRound: growth(liveAfter),
    rssGrowthAfterLastRound: growth(rssAfter),
  };
}

/** Lets the server finish closing streams and collect garbage between rounds. */
function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One browser: keeps the session cookie the server sets, and speaks the API. */
class Client {
  readonly #base: string;
  readonly #send: (input: string, init: RequestInit) => Promise<Response> | Response;
  #cookie: string | undefined;

  constructor(base: string, send: (input: string, init: RequestInit) => Promise<Response> | Response) {
    this.#base = base;
    this.#send = send;
  }

  async createChat(): Promise<string> {
    const response = await this.#fetch('/api/chats', { method: 'POST' });
    const body = (await response.json()) as { id: string };
    return body.id;
  }

  async upload(chatId: string, name: string, text: string): Promise<void> {
    const form = new FormData();
    form.append('file', new File([text], name, { type: 'text/plain' }));
    const response = await this.#fetch(`/api/chats/${chatId}/documents`, { method: 'POST', body: form });
    await response.arrayBuffer();
  }

  /** Asks with streaming; the time to the first `text-delta` event, and whether the answer ended in `done`. */
  async ask(chatId: string, text: string): Promise<{ ttftMs: number; done: boolean }> {
    const started = performance.now();
    const response = await this.#fetch(`/api/chats/${chatId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ question: text }),
    });
    if (response.body === null) throw new Error('no event stream');
    let ttftMs = Number.NaN;
    let buffered = '';
    let last: RagEvent['type'] | undefined;
    const decoder = new TextDecoder();
    for await (const bytes of response.body) {
      buffered += decoder.decode(bytes, { stream: true });
      let end = buffered.indexOf('\n\n');
      while (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1] as RagEvent['type'] | undefined;
        if (type !== undefined) {
          last = type;
          if (type === 'text-delta' && Number.isNaN(ttftMs)) ttftMs = performance.now() - started;
        }
        end = buffered.indexOf('\n\n');
      }
    }
    return { ttftMs, done: last === 'done' };
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookie !== undefined) headers.set('cookie', this.#cookie);
    const response = await this.#send(`${this.#base}${path}`, { ...init, headers });
    const setCookie = response.headers.getSetCookie()[0];
    if (setCookie !== undefined) this.#cookie = setCookie.split(';')[0];
    if (!response.ok) {
      await response.arrayBuffer();
      throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${response.status}`);
    }
    return response;
  }
}

/** A benchmarked server process (see {@link startServer}). */
export interface RunningServer {
  url: string;
  pid: number;
  rssMB(): number;
  /** Asks the server's memory probe for a full collection and reads its live memory. */
  liveMB(): Promise<{ live: number; heap: number }>;
  stop(): Promise<void>;
}

/** Starts `node src/server/main.ts` on 127.0.0.1 with an OS-chosen port and waits for its `listening` line. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const main = fileURLToPath(new URL('../src/server/main.ts', import.meta.url));
  const probe = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));
  const probeFile = join(env.DOCCHAT_DATA_DIR ?? os.tmpdir(), 'memory-probe.json');
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', probe, main], {
    // Only the fake model: a real key or provider settings from the caller's shell must not leak in.
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) => !name.startsWith('OPENAI_') && !name.startsWith('DOCCHAT_'),
        ),
      ),
      ...env,
      BENCH_MEMORY_PROBE_FILE: probeFile,
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the server exited with status ${String(code)} before listening`)),
    );
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { event?: string; url?: string };
        if (entry.event === 'listening' && typeof entry.url === 'string') resolve(entry.url);
      } catch {
        // Not a log line; ignore.
      }
    });
  });
  const pid = child.pid;
  return {
    url,
    pid: pid ?? 0,
    rssMB: () => {
      const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
      const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kilobytes / 1024;
    },
    liveMB: async () => {
      const asked = Date.now();
      child.kill('SIGUSR2');
      for (let attempt = 0; attempt < 200; attempt++) {
        await settle(10);
        try {
          const usage = JSON.parse(readFileSync(probeFile, 'utf8')) as NodeJS.MemoryUsage & { at: number };
          if (usage.at >= asked)
            return { live: (usage.heapUsed + usage.external) / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
        } catch {
          // Not written yet, or half written; try again.
        }
      }
      throw new Error('The server did not answer the memory probe.');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
