import { loadConfig } from '../../config.ts';
import { DocchatError } from '../../core/errors.ts';
import type { Embedder } from '../../embedders/embedder.ts';
import { createLocalEmbedder } from '../../embedders/local-embedder.ts';
import { createOpenAIEmbedder } from '../../embedders/openai-embedder.ts';
import { type BeirEvalResult, runBeirEval } from '../../eval/run-beir-eval.ts';
import type { SearchMode } from '../../retrieval/search-index.ts';
import { parseOptions } from '../parse-options.ts';

const help = `Usage: docchat eval-beir <dir> [options]

Evaluates retrieval on a dataset in BEIR format (corpus.jsonl, queries.jsonl, qrels/<split>.tsv):
every document is indexed as one chunk, every judged query retrieves 100, and the scores are the
means of nDCG@10, Recall@10, Recall@100 and MRR@10 over the judged queries.

Options:
  --split <name>         which qrels/<name>.tsv to score (default test)
  --retriever <name>     lexical (default: BM25, the offline default)
                         local   (dense: the offline hashing embedder alone)
                         hybrid  (BM25 + the offline hashing embedder, reciprocal rank fusion)
                         openai  (BM25 + an OpenAI-compatible embedding model, reciprocal rank fusion;
                                  needs OPENAI_API_KEY or OPENAI_BASE_URL, model DOCCHAT_EMBEDDING_MODEL)
  --json                 print one JSON object: {"ndcg@10","recall@10","recall@100","mrr@10","queries",
                         "seconds","retriever"}
  -h, --help             this help

Exit status: 0 evaluated, 1 the embedding provider failed, 2 bad input (directory, files, split, options).`;

const options = {
  split: { type: 'string', default: 'test' },
  retriever: { type: 'string', default: 'lexical' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The retrievers `eval-beir` can measure, by their command-line name. */
export const beirRetrievers = ['lexical', 'local', 'hybrid', 'openai'] as const;

/** One of {@link beirRetrievers}. */
export type BeirRetriever = (typeof beirRetrievers)[number];

function isBeirRetriever(name: string): name is BeirRetriever {
  return (beirRetrievers as readonly string[]).includes(name);
}

/** The search mode and embedder a retriever name stands for. */
function retrieverSetup(
  retriever: BeirRetriever,
  env: Record<string, string | undefined>,
): { mode: SearchMode; embedder: Embedder | null } {
  switch (retriever) {
    case 'lexical':
      return { mode: 'lexical', embedder: null };
    case 'local':
      return { mode: 'dense', embedder: createLocalEmbedder() };
    case 'hybrid':
      return { mode: 'hybrid', embedder: createLocalEmbedder() };
    case 'openai': {
      // loadConfig validates the variables and explains what is missing.
      const config = loadConfig({ ...env, DOCCHAT_EMBEDDER: 'openai' });
      return {
        mode: 'hybrid',
        embedder: createOpenAIEmbedder({ ...config.openai, model: config.embedder.model }),
      };
    }
  }
}

function formatTable(dir: string, split: string, retriever: string, result: BeirEvalResult): string {
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

/** `docchat eval-beir <dir>`: measures a retriever on a BEIR dataset. Returns the exit status. */
export async function evalBeirCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(argv, options, 'eval-beir');
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const [dir, ...extra] = positionals;
  if (!dir)
    throw new DocchatError(
      'invalid_request',
      'Name a BEIR dataset directory. Run "docchat eval-beir --help".',
    );
  if (extra.length > 0)
    throw new DocchatError(
      'invalid_request',
      `Unexpected argument "${extra[0]}". Run "docchat eval-beir --help".`,
    );
  const retriever = values.retriever;
  if (!isBeirRetriever(retriever))
    throw new DocchatError(
      'invalid_request',
      `Unknown retriever "${retriever}": use ${beirRetrievers.join(', ')}.`,
    );
  const split = values.split;
  const setup = retrieverSetup(retriever, env);

  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  let lastPhase = '';
  try {
    const result = await runBeirEval(dir, {
      split,
      ...setup,
      signal: controller.signal,
      onProgress: (phase, done, total) => {
        // One line per phase start and end keeps logs readable when stderr is not a terminal.
        if (phase !== lastPhase) process.stderr.write(`eval-beir: ${phase}...\n`);
        else if (done === total) process.stderr.write(`eval-beir: ${phase} ${done}/${total}\n`);
        lastPhase = phase;
      },
    });
    if (values.json) {
      const { mode: _mode, perQuery: _perQuery, ...metrics } = result;
      process.stdout.write(`${JSON.stringify({ ...metrics, retriever })}\n`);
    } else process.stdout.write(formatTable(dir, split, retriever, result));
    return 0;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
