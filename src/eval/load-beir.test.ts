import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { listBeirSplits, loadBeir } from './load-beir.ts';
import { writeTinyBeir } from './tiny-beir-fixture.ts';

describe('loadBeir', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await writeTinyBeir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the corpus, the query texts only, and CRLF qrels after their header', async () => {
    const dataset = await loadBeir(dir, 'test');
    expect(dataset.corpus).toHaveLength(4);
    expect(dataset.corpus[0]).toEqual({
      id: 'd1',
      title: 'Interleukin 6',
      text: 'IL-6 drives inflammation in rheumatoid arthritis.',
    });
    expect(dataset.corpus[3]?.title).toBe('');
    expect(dataset.queries.get('q1')).toBe('IL6 causes arthritis inflammation');
    expect(dataset.queries.size).toBe(4);
    expect([...dataset.qrels.keys()]).toEqual(['q1', 'q2', 'q3']);
    expect([...(dataset.qrels.get('q2') ?? [])]).toEqual([
      ['d2', 2],
      ['d3', 0],
    ]);
    expect(await listBeirSplits(dir)).toEqual(['test']);
  });

  const codeOf = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof DocchatError) return `${error.kind}:${error.code}`;
      throw error;
    }
    return 'resolved';
  };

  it('rejects a missing directory or missing files as file_not_found', async () => {
    expect(await codeOf(loadBeir(join(dir, 'nope')))).toBe('input:file_not_found');
    const empty = await mkdtemp(join(tmpdir(), 'docchat-beir-empty-'));
    try {
      expect(await codeOf(loadBeir(empty))).toBe('input:file_not_found');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('rejects an unknown split naming the available ones', async () => {
    await expect(loadBeir(dir, 'dev')).rejects.toThrow(/split "dev".*available test/);
    expect(await codeOf(loadBeir(dir, 'dev'))).toBe('input:invalid_request');
    expect(await codeOf(loadBeir(dir, '../test'))).toBe('input:invalid_request');
  });

  it('rejects malformed lines with their line number', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'docchat-beir-broken-'));
    try {
      await writeFile(join(broken, 'corpus.jsonl'), '{"_id":"d1","text":"ok"}\n{not json}\n');
      await writeFile(join(broken, 'queries.jsonl'), '{"_id":"q1","text":"ok"}\n');
      await mkdir(join(broken, 'qrels'));
      await writeFile(join(broken, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\n');
      await expect(loadBeir(broken)).rejects.toThrow(/Line 2 of .*corpus\.jsonl/);
      await writeFile(join(broken, 'corpus.jsonl'), '{"_id":"d1","text":"ok"}\n');
      await expect(loadBeir(broken)).rejects.toThrow(/Line 2 of .*test\.tsv/);
      await writeFile(join(broken, 'queries.jsonl'), '{"text":"no id"}\n');
      await expect(loadBeir(broken)).rejects.toThrow(/has no "_id"/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
