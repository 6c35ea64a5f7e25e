import { describe, expect, it, vi } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { createTextLoader } from './text-loader.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('createTextLoader', () => {
  it('loads a text file as one page-less document and reports progress 1 of 1', async () => {
    const onProgress = vi.fn();
    const document = await createTextLoader().load(
      { name: 'notes.md', data: utf8('# Notes\r\n\r\nFirst line.\r\n') },
      { onProgress },
    );
    expect(document).toEqual({
      source: 'notes.md',
      kind: 'text',
      format: 'text',
      text: '# Notes\n\nFirst line.\n',
      pages: [],
    });
    expect(onProgress).toHaveBeenCalledExactlyOnceWith(1, 1);
  });

  it('refuses empty and whitespace-only files', async () => {
    const loader = createTextLoader();
    expect((await docchatFailure(loader.load({ name: 'a.txt', data: new Uint8Array() }))).code).toBe(
      'empty_file',
    );
    expect((await docchatFailure(loader.load({ name: 'a.txt', data: utf8(' \r\n\t\n ') }))).code).toBe(
      'empty_file',
    );
    expect(
      (await docchatFailure(loader.load({ name: 'a.txt', data: new Uint8Array([0xef, 0xbb, 0xbf]) }))).code,
    ).toBe('empty_file');
  });

  it('refuses binary data', async () => {
    const gif = utf8('GIF89a\u0001\u0000\u0001\u0000');
    expect((await docchatFailure(createTextLoader().load({ name: 'image.txt', data: gif }))).code).toBe(
      'not_text',
    );
  });

  it('stops when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const load = createTextLoader().load({ name: 'a.txt', data: utf8('x') }, { signal: controller.signal });
    expect((await docchatFailure(load)).code).toBe('aborted');
  });
});
