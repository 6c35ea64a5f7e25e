import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DocchatError } from '../../core/errors.ts';
import { writeTinyBeir } from '../../eval/tiny-beir-fixture.ts';
import { docchatFailure } from '../../test-helpers/docchat-failure.ts';
import { startFakeOpenAIServer } from '../../test-helpers/fake-openai-server.ts';
import { evalBeirCommand } from './eval-beir.ts';

function captureOutput(): { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  return { stdout: () => out.join(''), stderr: () => err.join('') };
}

function failure(argv: string[], env: Record<string, string | undefined> = {}): Promise<DocchatError> {
  return docchatFailure(evalBeirCommand(argv, env));
}

describe('evalBeirCommand', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await writeTinyBeir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints exactly one JSON object with --json', async () => {
    const output = captureOutput();
    expect(await evalBeirCommand([dir, '--json'], {})).toBe(0);
    const result = JSON.parse(output.stdout());
    expect(Object.keys(result).sort()).toEqual(
      ['mrr@10', 'ndcg@10', 'queries', 'recall@10', 'recall@100', 'retriever', 'seconds'].sort(),
    );
    expect(result).toMatchObject({ 'ndcg@10': 1, queries: 3, retriever: 'lexical' });
    expect(output.stdout().trim().split('\n')).toHaveLength(1);
  });

  it('prints a table on stdout and progress on stderr without --json', async () => {
    const output = captureOutput();
    expect(await evalBeirCommand([dir, '--retriever', 'hybrid', '--split', 'test'], {})).toBe(0);
    expect(output.stdout()).toMatch(/retriever hybrid/);
    expect(output.stdout()).toMatch(/nDCG@10\s+\d\.\d{4}/);
    expect(output.stdout()).toMatch(/queries\s+3/);
    expect(output.stderr()).toMatch(/eval-beir: search/);
  });

  it('measures the dense local embedder', async () => {
    const output = captureOutput();
    expect(await evalBeirCommand([dir, '--retriever', 'local', '--json'], {})).toBe(0);
    expect(JSON.parse(output.stdout())).toMatchObject({ retriever: 'local', queries: 3 });
  });

  it('evaluates hybrid retrieval with an OpenAI-compatible embedding server', async () => {
    const server = await startFakeOpenAIServer({ apiKey: 'sk-test' });
    try {
      const output = captureOutput();
      const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.url };
      expect(await evalBeirCommand([dir, '--retriever', 'openai', '--json'], env)).toBe(0);
      expect(JSON.parse(output.stdout())).toMatchObject({ retriever: 'openai', queries: 3 });
      const embedded = server.requests.filter((request) => request.path.endsWith('/embeddings'));
      // The documents (in one or more batches), then one request per judged query.
      expect(embedded.length).toBeGreaterThanOrEqual(4);
      expect(JSON.stringify(embedded.map((request) => request.body))).toContain('IL6 causes arthritis');
    } finally {
      await server.close();
    }
  });

  it('reports bad input as input errors', async () => {
    captureOutput();
    expect(await failure([])).toMatchObject({ code: 'invalid_request', kind: 'input' });
    expect(await failure([`${dir}/missing`])).toMatchObject({ code: 'file_not_found', kind: 'input' });
    expect(await failure([dir, '--split', 'dev'])).toMatchObject({ code: 'invalid_request' });
    expect((await failure([dir, '--retriever', 'bm42'])).message).toMatch(
      /lexical, bm25-plain, local, hybrid, openai/,
    );
    expect((await failure([dir, '--compare', 'bm42'])).message).toMatch(/Unknown retriever/);
    expect((await failure([dir, '--trials', '0'])).message).toMatch(/--trials/);
    expect(await failure([dir, '--bogus'])).toMatchObject({ code: 'invalid_request' });
    expect((await failure([dir, '--retriever', 'openai'], {})).message).toMatch(/OPENAI_API_KEY/);
  });

  it('compares two retrievers on several sets, with a row per set and a query-weighted mean per group', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'docchat-sets-'));
    try {
      await cp(dir, join(parent, 'a'), { recursive: true });
      await cp(dir, join(parent, 'b'), { recursive: true });
      const output = captureOutput();
      expect(
        await evalBeirCommand([parent, dir, '--compare', 'bm25-plain', '--json', '--trials', '200'], {}),
      ).toBe(0);
      const result = JSON.parse(output.stdout());
      expect(result.retrievers).toEqual(['lexical', 'bm25-plain']);
      expect(result.sets.map((set: { name: string }) => set.name)).toEqual([
        `${basename(parent)}/a`,
        `${basename(parent)}/b`,
        basename(dir),
      ]);
      expect(
        result.groups.map((group: { name: string; queries: number }) => [group.name, group.queries]),
      ).toEqual([
        [basename(parent), 6],
        ['one-document', 6],
        ['collections', 3],
      ]);
      // Both find every relevant document of the tiny set: no difference, and the test says so.
      expect(result.sets[2].results['bm25-plain']['ndcg@10']).toBe(1);
      expect(result.sets[2]).toMatchObject({ difference: 0, p: 1, queries: 3 });
      expect(result.groups[1]['ndcg@10']).toEqual({ lexical: 1, 'bm25-plain': 1 });
      captureOutput();
      expect(await evalBeirCommand([parent, '--compare', 'bm25-plain'], {})).toBe(0);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('prints a table with differences and p-values when comparing', async () => {
    const output = captureOutput();
    expect(await evalBeirCommand([dir, '--compare', 'bm25-plain', '--trials', '100'], {})).toBe(0);
    expect(output.stdout()).toMatch(/difference = lexical − bm25-plain/);
    expect(output.stdout()).toMatch(
      /mean: collections \(1 sets\)\s+3\s+1\.0000\s+1\.0000\s+\+0\.0000\s+1\.0000/,
    );
  });

  it('prints help', async () => {
    const output = captureOutput();
    expect(await evalBeirCommand(['--help'], {})).toBe(0);
    expect(output.stdout()).toMatch(/Usage: docchat eval-beir <dir>/);
  });
});
