import { loadConfig } from '../../config.ts';
import { DocchatError } from '../../core/errors.ts';
import { type DocEvalResult, readDocQuestions, runDocEval } from '../../eval/run-doc-eval.ts';
import { readInput } from '../../loaders/read-input.ts';
import { createRag } from '../../pipeline/create-rag.ts';
import { createRecursiveTextSplitter } from '../../splitters/recursive-text-splitter.ts';
import { parseOptions } from '../parse-options.ts';

const help = `Usage: docchat eval-doc <file> <questions.jsonl> [options]

Measures retrieval for questions about one document. The file is read, split and indexed exactly
as the app does; every question (one JSON object per line: {"q": "...", "evidence": ["exact text
that must be retrieved", ...]}) is asked through the pipeline with k = 10, and the report gives
the share of evidence strings found in the first 1, 4 and 10 sources, and the MRR of the first
source holding any evidence. Evidence is matched ignoring case and runs of white space; evidence
that is not in the document's text is an error.

Options:
  --chunk-size <n>       the splitter's chunk size in characters (default 1000, as the app)
  --chunk-overlap <n>    the splitter's overlap in characters (default 200, as the app)
  --password <text>      password of an encrypted PDF
  --verbose              also print each question with the rank of each evidence string
  --json                 print one JSON object: {"questions","chunks","evidence@1","evidence@4",
                         "evidence@10","mrr","perQuestion"}
  -h, --help             this help

The retriever, embedder and k come from the same environment variables as the app (README).
Exit status: 0 evaluated, 1 a provider failed, 2 bad input (files, questions, options).`;

const options = {
  'chunk-size': { type: 'string' },
  'chunk-overlap': { type: 'string' },
  password: { type: 'string' },
  verbose: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function optionalInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new DocchatError('invalid_request', `--${name} must be a whole number; got "${value}".`);
  return number;
}

function formatReport(file: string, result: DocEvalResult, verbose: boolean): string {
  const lines = [
    `${file}: ${result.questions} questions, ${result.chunks} chunks`,
    `  evidence@1   ${result['evidence@1'].toFixed(4)}`,
    `  evidence@4   ${result['evidence@4'].toFixed(4)}`,
    `  evidence@10  ${result['evidence@10'].toFixed(4)}`,
    `  MRR          ${result.mrr.toFixed(4)}`,
  ];
  if (verbose)
    for (const question of result.perQuestion)
      lines.push(`  [${question.ranks.map((rank) => rank ?? '-').join(', ')}] ${question.q}`);
  return `${lines.join('\n')}\n`;
}

/** `docchat eval-doc <file> <questions.jsonl>`: evidence-in-top-k for questions about one document. */
export async function evalDocCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseOptions(argv, options, 'eval-doc');
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const [file, questionsPath, ...extra] = positionals;
  if (!file || !questionsPath || extra.length > 0)
    throw new DocchatError(
      'invalid_request',
      'Name a document and a questions file: docchat eval-doc <file> <questions.jsonl>.',
    );
  const chunkSize = optionalInteger(values['chunk-size'], 'chunk-size');
  const chunkOverlap = optionalInteger(values['chunk-overlap'], 'chunk-overlap');
  const splitter =
    chunkSize === undefined && chunkOverlap === undefined
      ? undefined
      : createRecursiveTextSplitter({ chunkSize, chunkOverlap });
  const questions = await readDocQuestions(questionsPath);
  const rag = createRag(loadConfig(env), splitter ? { splitter } : {});
  const input = await readInput(file);
  const result = await runDocEval(rag, input, questions, { password: values.password });
  process.stdout.write(
    values.json ? `${JSON.stringify(result)}\n` : formatReport(file, result, values.verbose === true),
  );
  return 0;
}
