import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DocchatError } from '../core/errors.ts';

/** One BEIR corpus document. */
export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

/** A BEIR dataset split, read from disk: the corpus, the query texts and the graded judgments. */
export interface BeirDataset {
  corpus: BeirDocument[];
  /** Query id → text. Only `text` is read from queries.jsonl; `metadata` (which may hold labels) is ignored. */
  queries: Map<string, string>;
  /** Query id → (document id → grade), from `qrels/<split>.tsv`. */
  qrels: Map<string, Map<string, number>>;
}

async function requireFile(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile())
    throw new DocchatError(
      'file_not_found',
      `${what} not found at ${path}. Point to a BEIR dataset directory.`,
      {
        details: { path },
      },
    );
}

async function* readLines(path: string): AsyncGenerator<{ line: string; number: number }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const raw of lines) {
    number++;
    // crlfDelay handles \r\n split across chunks; a lone trailing \r (and a BOM) can still remain.
    const line = (number === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
    if (line.trim().length > 0) yield { line, number };
  }
}

function parseJsonLine(line: string, path: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new DocchatError(
      'invalid_request',
      `Line ${number} of ${path} is not valid JSON. Fix or re-download the file.`,
      {
        cause: error,
        details: { path, line: number },
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DocchatError('invalid_request', `Line ${number} of ${path} is not a JSON object.`, {
      details: { path, line: number },
    });
  return value as Record<string, unknown>;
}

function readId(record: Record<string, unknown>, path: string, number: number): string {
  const id = record._id;
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number') return String(id);
  throw new DocchatError('invalid_request', `Line ${number} of ${path} has no "_id".`, {
    details: { path, line: number },
  });
}

function readText(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

/** The splits a BEIR directory has judgments for (the `qrels/*.tsv` names). */
export async function listBeirSplits(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, 'qrels')).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith('.tsv'))
    .map((name) => name.slice(0, -4))
    .sort();
}

/**
 * Reads a BEIR dataset directory: `corpus.jsonl` ({_id, title, text}), `queries.jsonl` ({_id, text}) and
 * `qrels/<split>.tsv` (header `query-id corpus-id score`, tab-separated, CRLF tolerated).
 */
export async function loadBeir(dir: string, split = 'test'): Promise<BeirDataset> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new DocchatError('file_not_found', `No BEIR dataset directory at ${dir}.`, {
      details: { path: dir },
    });
  if (!/^[\w.-]+$/.test(split))
    throw new DocchatError(
      'invalid_request',
      `"${split}" is not a valid split name (try test, dev or train).`,
    );
  const corpusPath = join(dir, 'corpus.jsonl');
  const queriesPath = join(dir, 'queries.jsonl');
  const qrelsPath = join(dir, 'qrels', `${split}.tsv`);
  await requireFile(corpusPath, 'corpus.jsonl');
  await requireFile(queriesPath, 'queries.jsonl');
  const qrelsInfo = await stat(qrelsPath).catch(() => null);
  if (!qrelsInfo?.isFile()) {
    const splits = await listBeirSplits(dir);
    throw new DocchatError(
      'invalid_request',
      `No judgments for split "${split}" in ${dir}: available ${splits.length > 0 ? splits.join(', ') : 'none (qrels/ is missing or empty)'}.`,
      { details: { split, available: splits } },
    );
  }

  const corpus: BeirDocument[] = [];
  for await (const { line, number } of readLines(corpusPath)) {
    const record = parseJsonLine(line, corpusPath, number);
    corpus.push({
      id: readId(record, corpusPath, number),
      title: readText(record, 'title'),
      text: readText(record, 'text'),
    });
  }

  const queries = new Map<string, string>();
  for await (const { line, number } of readLines(queriesPath)) {
    const record = parseJsonLine(line, queriesPath, number);
    queries.set(readId(record, queriesPath, number), readText(record, 'text'));
  }

  const qrels = new Map<string, Map<string, number>>();
  let sawHeader = false;
  for await (const { line, number } of readLines(qrelsPath)) {
    const fields = line.split('\t').map((field) => field.trim());
    const [queryId, documentId, gradeText] = fields;
    const grade = Number(gradeText);
    if (!sawHeader && number === 1 && !Number.isFinite(grade)) {
      sawHeader = true;
      continue;
    }
    if (fields.length < 3 || !queryId || !documentId || gradeText === '' || !Number.isFinite(grade))
      throw new DocchatError(
        'invalid_request',
        `Line ${number} of ${qrelsPath} is not "query-id<TAB>corpus-id<TAB>score".`,
        { details: { path: qrelsPath, line: number } },
      );
    let judgments = qrels.get(queryId);
    if (!judgments) {
      judgments = new Map();
      qrels.set(queryId, judgments);
    }
    judgments.set(documentId, grade);
  }
  return { corpus, queries, qrels };
}
