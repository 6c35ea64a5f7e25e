import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { buildTextPdf } from '../test-helpers/pdf-fixtures.ts';
import { loadFile } from './load-file.ts';

let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'docchat-load-file-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('loadFile', () => {
  it('loads a text file from disk under its base name', async () => {
    const path = join(directory, 'Report.TXT');
    await writeFile(path, 'line one\r\nline two\r\n');
    expect(await loadFile(path)).toEqual({
      source: 'Report.TXT',
      kind: 'text',
      format: 'text',
      text: 'line one\nline two\n',
      pages: [],
    });
  });

  it('loads a PDF from disk, with its password', async () => {
    const path = join(directory, 'paper.pdf');
    await writeFile(path, await buildTextPdf(['first', 'second']));
    const document = await loadFile(path, { password: 'unused' });
    expect(document.text).toBe('first\n\nsecond');
  });

  it('uses the MIME type for names without a known extension', async () => {
    const path = join(directory, 'README');
    await writeFile(path, 'read me');
    expect((await docchatFailure(loadFile(path))).code).toBe('unsupported_file_type');
    expect((await loadFile(path, { mimeType: 'text/plain' })).text).toBe('read me');
  });

  it('says when the file does not exist', async () => {
    const error = await docchatFailure(loadFile(join(directory, 'missing.txt')));
    expect(error.code).toBe('file_not_found');
    expect(error.message).toContain('missing.txt');
    expect((await docchatFailure(loadFile(join(directory, 'Report.TXT', 'below.txt')))).code).toBe(
      'file_not_found',
    );
  });

  it('says when the path is a directory', async () => {
    const error = await docchatFailure(loadFile(directory));
    expect(error.code).toBe('unsupported_file_type');
    expect(error.message).toMatch(/is a directory, not a file/);
  });

  it('stops when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      (await docchatFailure(loadFile(join(directory, 'Report.TXT'), { signal: controller.signal }))).code,
    ).toBe('aborted');
  });
});
