import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/seeded-random.ts';
import {
  type FakeChatBody,
  type FakeOpenAIServer,
  startFakeOpenAIServer,
} from '../test-helpers/fake-openai-server.ts';
import { buildEncryptedPdf, buildTextPdf } from '../test-helpers/pdf-fixtures.ts';
import { tenQuestions } from '../test-helpers/ten-questions.ts';

interface Running {
  child: ChildProcess;
  url: string;
  lines: () => Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  dataDir: string;
}

const dirs: string[] = [];
let running: Running | undefined;
afterEach(() => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts `node src/server/main.ts` on a free port and waits for its `listening` line. `dataDir` reuses a data
 * directory (a restart); `fileSizeBlocks` runs it under `ulimit -f` (1 KiB blocks) to make the disk "full".
 */
async function startServer(
  env: Record<string, string> = {},
  options: { dataDir?: string; fileSizeBlocks?: number } = {},
): Promise<Running> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'docchat-main-'));
  if (options.dataDir === undefined) dirs.push(dataDir);
  const command =
    options.fileSizeBlocks === undefined
      ? [process.execPath, 'src/server/main.ts']
      : [
          '/bin/sh',
          '-c',
          `ulimit -f ${options.fileSizeBlocks} && exec "$0" src/server/main.ts`,
          process.execPath,
        ];
  const [file = process.execPath, ...args] = command;
  const child = spawn(file, args, {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DOCCHAT_DATA_DIR: join(dataDir, 'data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () =>
    stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = lines().find((line) => line.event === 'listening');
      if (typeof listening?.url === 'string') resolve(listening.url);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  return { child, url, lines, stderr: () => stderr, exited, dataDir };
}

describe('npm run serve (src/server/main.ts)', () => {
  it('serves, logs one JSON line per request, and exits cleanly on SIGTERM', async () => {
    running = await startServer();
    const health = await fetch(`${running.url}/api/health`);
    expect(health.status).toBe(200);
    const created = await fetch(`${running.url}/api/chats`, { method: 'POST' });
    expect(created.status).toBe(201);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    const events = running.lines().map((line) => line.event);
    expect(events).toEqual(['listening', 'request', 'request', 'shutting_down', 'stopped']);
    expect(running.lines()[1]).toMatchObject({
      method: 'GET',
      path: '/api/health',
      status: 200,
      ms: expect.any(Number),
    });
    expect(running.stderr()).toBe('');
  });

  it('stops an answer stream in flight on SIGINT and still exits cleanly', async () => {
    running = await startServer();
    const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';
    const created = await fetch(`${running.url}/api/chats`, { method: 'POST' });
    const cookie = cookieOf(created);
    const { id } = (await created.json()) as { id: string };
    const form = new FormData();
    form.append('file', new File(['Chlorophyll absorbs blue light. '.repeat(50)], 'notes.txt'));
    const uploaded = await fetch(`${running.url}/api/chats/${id}/documents`, {
      method: 'POST',
      body: form,
      headers: { cookie },
    });
    expect(uploaded.status).toBe(201);
    const answer = await fetch(`${running.url}/api/chats/${id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ question: 'What does chlorophyll absorb?' }),
      headers: { cookie, 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
    running.child.kill('SIGINT');
    await answer.text().catch(() => '');
    expect(await running.exited).toBe(0);
  });

  it('reads uploaded PDFs in its loader pool, keeping their error codes', async () => {
    running = await startServer();
    const created = await fetch(`${running.url}/api/chats`, { method: 'POST' });
    const cookie = created.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { id } = (await created.json()) as { id: string };
    const upload = async (data: Uint8Array) => {
      const form = new FormData();
      form.append('file', new File([new Uint8Array(data)], 'paper.pdf', { type: 'application/pdf' }));
      return fetch(`${running?.url}/api/chats/${id}/documents`, {
        method: 'POST',
        body: form,
        headers: { cookie },
      });
    };
    const read = await upload(await buildTextPdf(['Page one text', 'Page two text']));
    expect(read.status).toBe(201);
    expect(await read.json()).toMatchObject({ source: 'paper.pdf', kind: 'pdf', pages: 2 });
    const locked = await upload(await buildEncryptedPdf(['Secret'], { userPassword: 'pw' }));
    expect(await locked.json()).toMatchObject({ error: 'pdf_encrypted' });
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toBe('');
  });

  it('stays up whatever arrives on the socket: huge headers, garbage, an upload cut off midway', async () => {
    running = await startServer();
    const { hostname, port } = new URL(running.url);
    const huge = await rawExchange(
      hostname,
      port,
      `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    );
    expect(huge === '' || huge.startsWith('HTTP/1.1 431')).toBe(true);
    const garbage = await rawExchange(hostname, port, '\u0000\u0001 not http at all\r\n\r\n');
    expect(garbage === '' || garbage.startsWith('HTTP/1.1 400')).toBe(true);

    const created = await fetch(`${running.url}/api/chats`, { method: 'POST' });
    const cookie = created.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { id } = (await created.json()) as { id: string };
    const head =
      `POST /api/chats/${id}/documents HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n` +
      'Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 1000000\r\n\r\n' +
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a file';
    await rawExchange(hostname, port, head, { hangUp: true });

    const health = await fetch(`${running.url}/api/health`);
    expect(health.status).toBe(200);
    const chat = (await (await fetch(`${running.url}/api/chats/${id}`, { headers: { cookie } })).json()) as {
      documents: unknown[];
    };
    expect(chat.documents).toEqual([]);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('refuses to start with a bad configuration, naming the variable', async () => {
    await expect(startServer({ PORT: 'eighty' })).rejects.toThrow(/server exited \(1\)/);
  });
});

/** Writes raw bytes to the server and returns what it answers (or, with `hangUp`, closes the socket at once). */
function rawExchange(
  host: string,
  port: string,
  data: string,
  options: { hangUp?: boolean } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) }, () => {
      socket.write(data);
      if (options.hangUp) setTimeout(() => socket.destroy(), 100);
    });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('close', () => resolve(received));
    // Node may reset the connection right after its 400/431: what arrived before is the answer.
    socket.on('error', () => resolve(received));
  });
}

/** A browser-like session against a spawned server: its cookie, and JSON helpers. */
async function newSession(firstUrl: string) {
  let url = firstUrl;
  const created = await fetch(`${url}/api/chats`, { method: 'POST' });
  const cookie = created.headers.get('set-cookie')?.split(';')[0] ?? '';
  const { id } = (await created.json()) as { id: string };
  return {
    id,
    cookie,
    /** Follows the server to its new address after a restart. */
    moveTo(next: string) {
      url = next;
    },
    upload: (name: string, content: string, headers: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('file', new File([content], name));
      return fetch(`${url}/api/chats/${id}/documents`, {
        method: 'POST',
        body: form,
        headers: { cookie, ...headers },
      });
    },
    ask: (question: string) =>
      fetch(`${url}/api/chats/${id}/messages`, {
        method: 'POST',
        body: JSON.stringify({ question }),
        headers: { cookie, 'content-type': 'application/json', accept: 'text/event-stream' },
      }),
    chat: async () =>
      (await (await fetch(`${url}/api/chats/${id}`, { headers: { cookie } })).json()) as {
        documents: { source: string }[];
        uploads: { source: string; status: string }[];
        messages: { role: string; content: string; status?: string }[];
      },
  };
}

/** Reads an event stream until `until` returns true for the text so far; leaves the stream open. */
async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (reader !== undefined && !until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

const notes = 'Chlorophyll absorbs blue and red light. The Calvin cycle fixes carbon in the stroma. '.repeat(
  30,
);

describe('a local model file (llama.cpp in-process) behind the server', () => {
  it('answers a ten-question conversation in a 1,024-token window: every answer streamed with its sources and stored', async () => {
    const { writeTinyGguf } = await import('../test-helpers/gguf-tiny-model.ts');
    const { syntheticText } = await import('../../bench/fixtures.ts');
    running = await startServer({
      DOCCHAT_CHAT: 'gguf',
      DOCCHAT_CHAT_MODEL_PATH: await writeTinyGguf({ contextLength: 1024, name: 'tiny-chat' }),
      DOCCHAT_GGUF_CONTEXT: '1024',
      DOCCHAT_GGUF_THREADS: '1',
      DOCCHAT_MAX_ANSWER_TOKENS: '64',
    });
    const session = await newSession(running.url);
    expect((await session.upload('paper.txt', syntheticText(60_000, 9))).status).toBe(201);
    const questions = tenQuestions;
    for (const question of questions) {
      const stream = await (await session.ask(question)).text();
      expect(stream, question).not.toContain('event: error');
      expect(stream, question).toContain('event: done');
      expect(stream, question).toMatch(/"sources":\[\{/);
    }
    const { messages } = await session.chat();
    const answers = messages.filter((message) => message.role === 'assistant');
    expect(answers).toHaveLength(questions.length);
    for (const answer of answers) expect(answer.status).toBe('complete');
    running.child.kill('SIGTERM');
    await running.exited;
  }, 300_000);
});

describe('crashes (kill -9 of the server process)', () => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
  });
  afterAll(() => fake.close());

  it('keeps an answer cut off mid-stream as interrupted, and the next prompt alternates turns', async () => {
    const reply = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    fake.configure({ reply, tokenDelayMs: 40 });
    const env = {
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-test',
      DOCCHAT_CHAT_MODEL: 'gpt-4o-mini',
      DOCCHAT_EMBEDDER: 'local',
    };
    running = await startServer(env);
    const session = await newSession(running.url);
    expect((await session.upload('notes.txt', notes)).status).toBe(201);
    const answer = await session.ask('What does chlorophyll absorb?');
    // Past the first save (at the sources event) and well into the deltas, then the process dies.
    await readUntil(answer, (text) => text.split('event: text-delta').length > 30);
    running.child.kill('SIGKILL');
    await running.exited;

    running = await startServer(env, { dataDir: running.dataDir });
    session.moveTo(running.url);
    expect(running.lines().find((line) => line.event === 'recovered_interrupted')).toMatchObject({
      messages: 1,
      uploads: 0,
    });
    const { messages } = await session.chat();
    expect(messages.map((message) => [message.role, message.status])).toEqual([
      ['user', undefined],
      ['assistant', 'interrupted'],
    ]);
    expect(messages[1]?.content).not.toBe('');
    expect(reply.startsWith(messages[1]?.content ?? 'x')).toBe(true);

    fake.reset();
    fake.configure({ reply: 'Blue and red [1].' });
    await (await session.ask('And what does the Calvin cycle do?')).text();
    const prompt = fake.requests.find((request) => request.path.startsWith('/v1/chat'))?.body as FakeChatBody;
    const roles = prompt.messages.map((message) => message.role).filter((role) => role !== 'system');
    expect(roles.at(-1)).toBe('user');
    for (let i = 1; i < roles.length; i++) expect(roles[i], roles.join(',')).not.toBe(roles[i - 1]);
    running.child.kill('SIGTERM');
    await running.exited;
  });

  it('shows a document cut off mid-ingest as a failed upload, not as nothing', async () => {
    fake.reset();
    fake.configure({ embeddingDelayMs: 60_000 });
    const env = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'sk-test' };
    running = await startServer(env);
    const session = await newSession(running.url);
    const uploading = await session.upload('slow.txt', notes, { accept: 'text/event-stream' });
    // Split, so now waiting for the (slow) embeddings: the upload is mid-ingest.
    await readUntil(uploading, (text) => text.includes('"stage":"split"'));
    running.child.kill('SIGKILL');
    await running.exited;

    running = await startServer(env, { dataDir: running.dataDir });
    session.moveTo(running.url);
    const chat = await session.chat();
    expect(chat.documents).toEqual([]);
    expect(chat.uploads).toMatchObject([{ source: 'slow.txt', status: 'failed' }]);
    fake.reset();
    running.child.kill('SIGTERM');
    await running.exited;
  });
});

describe('storage faults at start and at run time', () => {
  async function serverWithData() {
    running = await startServer();
    const session = await newSession(running.url);
    expect((await session.upload('notes.txt', notes.repeat(20))).status).toBe(201);
    running.child.kill('SIGTERM');
    await running.exited;
    return join(running.dataDir, 'data', 'docchat.sqlite');
  }

  it('refuses a database truncated to half with one line on stderr and exit status 2', async () => {
    const path = await serverWithData();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const failure = await startServer({}, { dataDir: dirname(dirname(path)) }).catch((error: Error) => error);
    expect(String(failure)).toMatch(/server exited \(2\)/);
    const stderr = String(failure).slice(String(failure).indexOf('): ') + 3);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/docchat\.sqlite is damaged/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a database with garbage in its header the same way', async () => {
    const path = await serverWithData();
    const handle = openSync(path, 'r+');
    writeSync(handle, Buffer.from('GARBAGE GARBAGE GARBAGE!'), 0, 24, 0);
    closeSync(handle);
    const failure = await startServer({}, { dataDir: dirname(dirname(path)) }).catch((error: Error) => error);
    expect(String(failure)).toMatch(/server exited \(2\): docchat: The chat database .* is damaged/);
    expect(String(failure).trim().split('\n')).toHaveLength(1);
  });

  it('answers 507 storage_full when the disk is full, logs the real cause, and stays up', async () => {
    running = await startServer({}, { fileSizeBlocks: 1024 });
    const session = await newSession(running.url);
    // Random words: the store deflates text, and a repeated sentence would fit in the 512 kB left.
    const random = seededRandom(7);
    const words = Array.from({ length: 250_000 }, () =>
      Array.from({ length: 5 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(''),
    );
    const big = words.join(' ');
    const response = await session.upload('big.txt', big);
    expect(response.status).toBe(507);
    expect(await response.json()).toMatchObject({ error: 'storage_full' });
    const failed = running.lines().find((line) => line.event === 'request_failed');
    expect(failed).toMatchObject({
      code: 'storage_full',
      cause: expect.stringMatching(/disk I\/O error|full/),
    });
    expect(running.stderr()).not.toMatch(/cannot rollback/);
    expect(JSON.stringify(running.lines())).not.toMatch(/cannot rollback/);
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
    expect((await session.chat()).documents).toEqual([]);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });
});
