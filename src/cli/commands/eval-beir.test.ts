import { rm } from 'node:fs/promises';
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
    expect((await failure([dir, '--retriever', 'bm42'])).message).toMatch(/lexical, local, hybrid, openai/);
    expect(await failure([dir, '--bogus'])).toMatchObject({ code: 'invalid_request' });
    expect((await failure([dir, '--retriever', 'openai'], {})).message).toMatch(/OPENAI_API_KEY/);
  });

  it('prints help', async () => {
    const output = captureOutput();
    expect(await evalBeirCommand(['--help'], {})).toBe(0);
    expect(output.stdout()).toMatch(/Usage: docchat eval-beir <dir>/);
  });
});
