import { describe, expect, it } from 'vitest';
import { DocchatError } from '../../../src/core/errors.ts';
import type { RagEvent } from '../../../src/core/events.ts';
import { createApiClient, errorFromResponse } from './client.ts';

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const sseResponse = (wire: string) =>
  new Response(wire, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });

async function collect(events: AsyncIterable<RagEvent>): Promise<RagEvent[]> {
  const out: RagEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function caught(promise: Promise<unknown>): Promise<DocchatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DocchatError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('errorFromResponse', () => {
  it('maps a { error, message } body to a DocchatError with that code and message', async () => {
    const error = await errorFromResponse(
      jsonResponse(413, { error: 'file_too_large', message: 'The file is larger than the 2 MB limit.' }),
    );
    expect(error).toBeInstanceOf(DocchatError);
    expect(error.code).toBe('file_too_large');
    expect(error.message).toBe('The file is larger than the 2 MB limit.');
    expect(error.details).toEqual({ status: 413 });
  });

  it('falls back on the status for bodies that are not ours', async () => {
    const html = new Response('<html>Bad gateway</html>', { status: 502 });
    expect((await errorFromResponse(html)).code).toBe('internal');
    expect((await errorFromResponse(jsonResponse(404, { error: 'made_up', message: 'x' }))).code).toBe(
      'not_found',
    );
    expect((await errorFromResponse(jsonResponse(400, { nope: true }))).code).toBe('invalid_request');
  });
});

describe('createApiClient', () => {
  it('throws typed errors from JSON routes and network failures', async () => {
    const client = createApiClient({
      fetch: async (input) => {
        if (String(input).endsWith('/api/chats/missing')) {
          return jsonResponse(404, { error: 'not_found', message: 'There is no such chat.' });
        }
        throw new TypeError('Failed to fetch');
      },
    });
    const missing = await caught(client.getChat('missing'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toBe('There is no such chat.');
    const offline = await caught(client.listChats());
    expect(offline.code).toBe('internal');
    expect(offline.message).toMatch(/Could not reach the docchat server/);
  });

  it('streams an answer and sends the question as JSON', async () => {
    let sent: RequestInit | undefined;
    const client = createApiClient({
      fetch: async (_input, init) => {
        sent = init;
        return sseResponse(
          'event: sources\ndata: {"type":"sources","query":"q","model":{"name":"extractive","extractive":true},"sources":[]}\n\n' +
            ': ping\n\nevent: text-delta\ndata: {"type":"text-delta","delta":"Hi"}\n\n' +
            'event: future-thing\ndata: {"type":"future-thing"}\n\n' +
            'event: done\ndata: {"type":"done","answer":"Hi","model":{"name":"extractive","extractive":true}}\n\n',
        );
      },
    });
    const events = await collect(client.ask('c1', 'Why?'));
    expect(events.map((event) => event.type)).toEqual(['sources', 'text-delta', 'done']);
    expect(sent?.body).toBe(JSON.stringify({ question: 'Why?' }));
    expect(new Headers(sent?.headers).get('accept')).toBe('text/event-stream');
  });

  it('reports a stream cut before its last event as stream_interrupted', async () => {
    const client = createApiClient({
      fetch: async () => sseResponse('event: text-delta\ndata: {"type":"text-delta","delta":"Hi"}\n\n'),
    });
    const events = await collect(client.ask('c1', 'Why?'));
    expect(events.at(-1)).toMatchObject({ type: 'error', error: 'stream_interrupted' });
  });

  it('throws the 4xx of an upload refused before streaming, and maps a broken event to internal', async () => {
    const refused = createApiClient({
      fetch: async () =>
        jsonResponse(422, { error: 'pdf_encrypted', message: 'This PDF is password-protected.' }),
    });
    const file = new File(['%PDF'], 'secret.pdf', { type: 'application/pdf' });
    const error = await caught(collect(refused.uploadDocument('c1', file, { password: 'x' })));
    expect(error.code).toBe('pdf_encrypted');

    const broken = createApiClient({
      fetch: async () => sseResponse('event: progress\ndata: {"type":"progress"}\n\n'),
    });
    expect((await caught(collect(broken.uploadDocument('c1', file)))).code).toBe('internal');
  });

  it('uploads the file and password as multipart and ends on the document event', async () => {
    let form: FormData | undefined;
    const client = createApiClient({
      fetch: async (_input, init) => {
        form = init?.body instanceof FormData ? init.body : undefined;
        return sseResponse(
          'event: progress\ndata: {"type":"progress","source":"a.txt","stage":"parse","done":1,"total":1}\n\n' +
            'event: document\ndata: {"type":"document","document":{"id":"d1","source":"a.txt","kind":"text","pages":null,"chunks":1,"characters":5}}\n\n',
        );
      },
    });
    const file = new File(['hello'], 'a.txt', { type: 'text/plain' });
    const events = await collect(client.uploadDocument('c1', file, { password: 'pw' }));
    expect(events.map((event) => event.type)).toEqual(['progress', 'document']);
    expect(form?.get('password')).toBe('pw');
    expect(form?.get('file')).toBeInstanceOf(File);
  });

  it('turns an aborted fetch into an aborted error', async () => {
    const client = createApiClient({
      fetch: async () => {
        throw new DOMException('The operation was aborted.', 'AbortError');
      },
    });
    expect((await caught(collect(client.ask('c1', 'q')))).code).toBe('aborted');
  });
});

describe('document file and layout', () => {
  it('fetches a document’s original and layout by their paths, and maps a 404 to not_found', async () => {
    const requested: string[] = [];
    const api = createApiClient({
      fetch: async (input) => {
        const url = String(input);
        requested.push(url);
        if (url.endsWith('/d%231/file')) return jsonResponse(404, { error: 'not_found', message: 'Gone.' });
        if (url.endsWith('/file')) {
          return new Response(new Uint8Array([37, 80, 68, 70]), {
            headers: { 'Content-Type': 'application/pdf' },
          });
        }
        return jsonResponse(200, { text: 'abc', boxes: [] });
      },
    });
    const file = await api.documentFile('c 1', 'd1');
    expect(file.type).toBe('application/pdf');
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([37, 80, 68, 70]);
    expect(await api.documentLayout('c 1', 'd1')).toEqual({ text: 'abc', boxes: [] });
    expect(requested).toEqual(['/api/chats/c%201/documents/d1/file', '/api/chats/c%201/documents/d1/layout']);
    const missing = await caught(api.documentFile('c 1', 'd#1'));
    expect(missing.code).toBe('not_found');
  });
});
