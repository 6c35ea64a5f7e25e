import { DocchatError } from '../../core/errors.ts';
import { beirIndexFactory, beirRetrievers } from '../../eval/beir-retrievers.ts';
import type { BeirEvalResult } from '../../eval/run-beir-eval.ts';
import { findBeirSets, runBeirSuite, type SuiteResult } from '../../eval/run-beir-suite.ts';
import { parseOptions } from '../parse-options.ts';

const help = `Usage: docchat eval-beir <dir>... [options]

Evaluates retrieval on datasets in BEIR format (corpus.jsonl, queries.jsonl, qrels/<split>.tsv):
every document is indexed as one chunk (its title as the chunk's header), every judged query
retrieves 100, and the scores are the means of nDCG@10, Recall@10, Recall@100 and MRR@10 over
the judged queries.

A <dir> holding corpus.jsonl is one set, in the group "collections". A <dir> of such folders
(e.g. squad2-articles/, one article per folder) stands for all of them: each is one document's
passages, counted in a group named after <dir> and in the group "one-document". With several
sets, one row is printed per set and one per group, a group's figure being the mean over all the
queries of its sets (query-weighted).

Options:
  --split <name>         which qrels/<name>.tsv to score (default test)
  --retriever <name>     lexical    (default: BM25 with docchat's ranking, the offline default)
                         bm25-plain (the plain Lucene BM25 baseline: k1 0.9, b 0.4, Porter, stop words)
                         local      (dense: the offline hashing embedder alone)
                         hybrid     (BM25 + the offline hashing embedder, reciprocal rank fusion)
                         openai     (BM25 + an OpenAI-compatible embedding model, reciprocal rank fusion;
                                     needs OPENAI_API_KEY or OPENAI_BASE_URL, model DOCCHAT_EMBEDDING_MODEL)
  --compare <name>       also run this retriever on the same queries and report the nDCG@10
                         difference (retriever − compared) with a paired randomization test's p-value
  --trials <n>           random sign flips of the randomization test (default 10000)
  --seed <n>             seed of the randomization test, so p-values repeat (default 1)
  --json                 print one JSON object; for one set without --compare:
                         {"ndcg@10","recall@10","recall@100","mrr@10","queries","seconds","retriever"};
                         otherwise {"retrievers","sets":[...],"groups":[...]}
  -h, --help             this help

Exit status: 0 evaluated, 1 the embedding provider failed, 2 bad input (directory, files, split, options).`;

const options = {
  split: { type: 'string', default: 'test' },
  retriever: { type: 'string', default: 'lexical' },
  compare: { type: 'string' },
  trials: { type: 'string', default: '10000' },
  seed: { type: 'string', default: '1' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export { beirRetrievers };

function positiveInteger(value: string, name: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min)
    throw new DocchatError('invalid_request', `--${name} must be an integer ≥ ${min}; got "${value}".`);
  return number;
}

function metrics(result: BeirEvalResult) {
  return {
    'ndcg@10': result['ndcg@10'],
    'recall@10': result['recall@10'],
    'recall@100': result['recall@100'],
    'mrr@10': result['mrr@10'],
    queries: result.queries,
    seconds: result.seconds,
  };
}

function formatSingle(dir: string, split: string, retriever: string, result: BeirEvalResult): string {
  const rows: [string, string][] = [
    ['nDCG@10', result['ndcg@10'].toFixed(4)],
    ['Recall@10', result['recall@10'].toFixed(4)],
    ['Recall@100', result['recall@100'].toFixed(4)],
    ['MRR@10', result['mrr@10'].toFixed(4)],
    ['queries', String(result.queries)],
    ['seconds', result.seconds.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
  return `${dir} (split ${split}, retriever ${retriever})\n${lines.join('\n')}\n`;
}

const formatP = (p: number): string => (p < 0.0001 ? '<0.0001' : p.toFixed(4));
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;

function formatSuite(suite: SuiteResult, split: string): string {
  const compared = suite.retrievers.length === 2;
  const header = ['set', 'queries', ...suite.retrievers.map((name) => `nDCG@10 ${name}`)];
  if (compared) header.push('difference', 'p');
  const rows: string[][] = [header];
  for (const set of suite.sets) {
    const row = [
      set.set.name,
      String(set.queries),
      ...set.results.map((result) => result['ndcg@10'].toFixed(4)),
    ];
    if (set.comparison) row.push(signed(set.comparison.difference), formatP(set.comparison.p));
    rows.push(row);
  }
  for (const group of suite.groups) {
    const row = [
      `mean: ${group.group} (${group.sets} sets)`,
      String(group.queries),
      ...group.ndcg10.map((value) => value.toFixed(4)),
    ];
    if (group.comparison) row.push(signed(group.comparison.difference), formatP(group.comparison.p));
    rows.push(row);
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  '),
  );
  const title = `split ${split}${compared ? `; difference = ${suite.retrievers[0]} − ${suite.retrievers[1]}, paired randomization test` : ''}`;
  return `${title}\n${lines.join('\n')}\n`;
}

/** `docchat eval-beir <dir>...`: measures a retriever (or compares two) on BEIR datasets. Returns the exit status. */
export async function evalBeirCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(argv, options, 'eval-beir');
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (positionals.length === 0)
    throw new DocchatError(
      'invalid_request',
      'Name a BEIR dataset directory. Run "docchat eval-beir --help".',
    );
  const trials = positiveInteger(values.trials, 'trials', 1);
  const seed = positiveInteger(values.seed, 'seed', 0);
  const names = [values.retriever, ...(values.compare === undefined ? [] : [values.compare])];
  const retrievers = names.map((name) => ({ name, createIndex: beirIndexFactory(name, env) }));
  const split = values.split;
  const sets = await findBeirSets(positionals);

  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  let lastPhase = '';
  try {
    const suite = await runBeirSuite(sets, retrievers, {
      split,
      trials,
      seed,
      signal: controller.signal,
      onSet: (set, retriever) => {
        if (sets.length > 1 || retrievers.length > 1)
          process.stderr.write(`eval-beir: ${set.name} (${retriever})\n`);
        lastPhase = '';
      },
      onProgress: (phase, done, total) => {
        // One line per phase start and end keeps logs readable when stderr is not a terminal.
        if (phase !== lastPhase) process.stderr.write(`eval-beir: ${phase}...\n`);
        else if (done === total) process.stderr.write(`eval-beir: ${phase} ${done}/${total}\n`);
        lastPhase = phase;
      },
    });
    const only = suite.sets[0];
    if (sets.length === 1 && retrievers.length === 1 && only?.results[0]) {
      const result = only.results[0];
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ ...metrics(result), retriever: values.retriever })}\n`
          : formatSingle(only.set.dir, split, values.retriever, result),
      );
      return 0;
    }
    if (values.json) {
      const json = {
        retrievers: suite.retrievers,
        sets: suite.sets.map((set) => ({
          name: set.set.name,
          dir: set.set.dir,
          groups: set.set.groups,
          queries: set.queries,
          results: Object.fromEntries(set.results.map((result, r) => [suite.retrievers[r], metrics(result)])),
          ...(set.comparison ?? {}),
        })),
        groups: suite.groups.map((group) => ({
          name: group.group,
          sets: group.sets,
          queries: group.queries,
          'ndcg@10': Object.fromEntries(group.ndcg10.map((value, r) => [suite.retrievers[r], value])),
          ...(group.comparison ?? {}),
        })),
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else process.stdout.write(formatSuite(suite, split));
    return 0;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
