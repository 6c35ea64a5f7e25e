import { describe, expect, it } from 'vitest';
import { readUpload } from './read-upload.ts';

function multipartRequest(
  body: BodyInit,
  init: { contentType?: string; headers?: Record<string, string> } = {},
) {
  return new Request('http://local/upload', {
    method: 'POST',
    body,
    headers: { 'content-type': init.contentType ?? 'multipart/form-data; boundary=XX', ...init.headers },
    duplex: 'half',
  } as RequestInit);
}

function filePart(name: string, content: string, field = 'file'): string {
  return `--XX\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n`;
}

/** A body stream that yields `chunks` chunks of `size` bytes and counts how many were pulled. */
function countingStream(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const prefix = new TextEncoder().encode(
    '--XX\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n',
  );
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled === 0) controller.enqueue(prefix);
        if (state.pulled >= chunks) {
          controller.enqueue(new TextEncoder().encode('\r\n--XX--\r\n'));
          controller.close();
          return;
        }
        state.pulled += 1;
        controller.enqueue(new Uint8Array(size).fill(97));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

describe('readUpload', () => {
  it('reads one file, its type and an optional password', async () => {
    const body = `${filePart('notes.md', '# Hi')}--XX\r\nContent-Disposition: form-data; name="password"\r\n\r\nsecret\r\n--XX--\r\n`;
    const upload = await readUpload(multipartRequest(body), { maxBytes: 1000 });
    expect(upload.input.name).toBe('notes.md');
    expect(new TextDecoder().decode(upload.input.data)).toBe('# Hi');
    expect(upload.input.mimeType).toBe('text/plain');
    expect(upload.password).toBe('secret');
  });

  it('keeps only the base name of a path-like file name and drops control characters', async () => {
    const upload = await readUpload(
      multipartRequest(`${filePart('C:\\Users\\me\\a\u0007b.txt', 'x')}--XX--\r\n`),
      {
        maxBytes: 1000,
      },
    );
    expect(upload.input.name).toBe('ab.txt');
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { stream, state } = countingStream(10, 1000);
    const request = multipartRequest(stream, { headers: { 'content-length': String(10_000_000) } });
    await expect(readUpload(request, { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'file_too_large',
      message: 'The file is larger than the 1 KB limit.',
    });
    expect(state.pulled).toBe(0);
  });

  it('counts the streamed body: stops reading soon after the limit, whatever the headers say', async () => {
    // 500 chunks of 1 MB would be 500 MB; the limit (2 MB + overhead) must stop the read after a few.
    const { stream, state } = countingStream(500, 1_000_000);
    const request = multipartRequest(stream, { headers: { 'content-length': '100' } });
    await expect(readUpload(request, { maxBytes: 2_000_000 })).rejects.toMatchObject({
      code: 'file_too_large',
      message: 'The file is larger than the 2 MB limit.',
    });
    expect(state.pulled).toBeLessThanOrEqual(4);
    expect(state.cancelled).toBe(true);
  });

  it('refuses a file over the limit that fits in the multipart overhead', async () => {
    const request = multipartRequest(`${filePart('a.txt', 'x'.repeat(1001))}--XX--\r\n`);
    await expect(readUpload(request, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'file_too_large' });
  });

  it.each([
    ['garbage', 'this is not multipart at all', undefined],
    [
      'a truncated body',
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
      undefined,
    ],
    ['no boundary', filePart('a.txt', 'x'), 'multipart/form-data'],
    ['JSON', '{"file": "x"}', 'application/json'],
    ['no file field', `${filePart('a.txt', 'x', 'document')}--XX--\r\n`, undefined],
    [
      'a text field named file',
      '--XX\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--XX--\r\n',
      undefined,
    ],
    ['two files', `${filePart('a.txt', 'x')}${filePart('b.txt', 'y')}--XX--\r\n`, undefined],
  ])('refuses %s with invalid_request', async (_label, body, contentType) => {
    const request = multipartRequest(body, contentType === undefined ? {} : { contentType });
    await expect(readUpload(request, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('reports a body that breaks off because the client left as aborted', async () => {
    const controller = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      start(streamController) {
        streamController.enqueue(new TextEncoder().encode(filePart('a.txt', 'partial')));
      },
      pull(streamController) {
        controller.abort();
        streamController.error(new TypeError('terminated'));
      },
    });
    const request = new Request('http://local/upload', {
      method: 'POST',
      body: stream,
      signal: controller.signal,
      headers: { 'content-type': 'multipart/form-data; boundary=XX' },
      duplex: 'half',
    } as RequestInit);
    await expect(readUpload(request, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'aborted' });
  });
});
