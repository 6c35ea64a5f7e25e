import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { docchatFailure } from '../../test-helpers/docchat-failure.ts';
import { evalDocCommand } from './eval-doc.ts';

describe('evalDocCommand', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docchat-eval-doc-'));
    await writeFile(
      join(dir, 'doc.txt'),
      'Owls hunt at night and see well in the dark.\n\nTomatoes ripen faster in warm weather.',
    );
    await writeFile(
      join(dir, 'questions.jsonl'),
      `${JSON.stringify({ q: 'When do owls hunt?', evidence: ['Owls hunt at night'] })}\n${JSON.stringify({ q: 'What makes tomatoes ripen?', evidence: ['warm weather'] })}\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints the report as JSON and as text, with the chunk size given', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const args = [
      join(dir, 'doc.txt'),
      join(dir, 'questions.jsonl'),
      '--chunk-size',
      '50',
      '--chunk-overlap',
      '0',
    ];
    expect(await evalDocCommand([...args, '--json'], {})).toBe(0);
    const result = JSON.parse(out.join(''));
    expect(result).toMatchObject({ questions: 2, chunks: 2, 'evidence@1': 1, mrr: 1 });
    out.length = 0;
    expect(await evalDocCommand([...args, '--verbose'], {})).toBe(0);
    expect(out.join('')).toMatch(/evidence@4\s+1\.0000/);
    expect(out.join('')).toMatch(/\[1\] When do owls hunt\?/);
  });

  it('reports bad input as input errors', async () => {
    expect(await docchatFailure(evalDocCommand([join(dir, 'doc.txt')], {}))).toMatchObject({ kind: 'input' });
    expect(
      await docchatFailure(
        evalDocCommand([join(dir, 'doc.txt'), join(dir, 'questions.jsonl'), '--chunk-size', 'x'], {}),
      ),
    ).toMatchObject({ code: 'invalid_request' });
    expect(
      await docchatFailure(evalDocCommand([join(dir, 'missing.txt'), join(dir, 'questions.jsonl')], {})),
    ).toMatchObject({ code: 'file_not_found' });
  });
});
