import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEncryptedPdf, buildTextPdf } from '../test-helpers/pdf-fixtures.ts';

interface Running {
  child: ChildProcess;
  url: string;
  lines: () => Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
}

const dirs: string[] = [];
let running: Running | undefined;
afterEach(() => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts `node src/server/main.ts` on a free port and waits for its `listening` line. */
async function startServer(env: Record<string, string> = {}): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'docchat-main-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['src/server/main.ts'], {
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
  return { child, url, lines, stderr: () => stderr, exited };
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
