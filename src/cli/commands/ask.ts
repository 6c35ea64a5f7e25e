import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Config, loadConfig } from '../../config.ts';
import { DocchatError } from '../../core/errors.ts';
import type { RagEvent } from '../../core/events.ts';
import { ocrPagesText, pageCountText } from '../../core/page-count.ts';
import type { ChatMessage, ModelInfo, Source } from '../../core/types.ts';
import { readInput } from '../../loaders/read-input.ts';
import { createRag, type Rag } from '../../pipeline/create-rag.ts';
import type { SearchIndex } from '../../retrieval/search-index.ts';
import { createCharacterTextSplitter } from '../../splitters/character-text-splitter.ts';
import { parseOptions } from '../parse-options.ts';

const help = `Usage: docchat ask <file> "<question>" [options]
       docchat ask <file> --questions <path> [options]

Answers questions about a text (.txt, .md, .csv, .log, ...) or PDF file, offline by default.

Options:
  --json                one JSON object per question on stdout:
                        {"question","answer","model","sources":[{"source","page","score","text","ocr"?}]}
                        (plus "query" when a follow-up was rewritten for retrieval, and
                        "truncated": true when the answer was cut off at its length limit)
  --questions <path>    one question per line; the file is indexed once
  --conversation        with --questions: the lines are one conversation, so follow-ups ("and the second
                        one?") are rewritten from the earlier questions; the query used is printed
  --k <n>               passages retrieved per question (default 4, or DOCCHAT_K)
  --password <pw>       password of an encrypted PDF
  --chat <provider>     extractive (offline, default) | openai (needs OPENAI_API_KEY or OPENAI_BASE_URL)
                        | gguf (a local model file: DOCCHAT_CHAT_MODEL_PATH=<file.gguf>)
  --model <name>        chat model for --chat openai (default gpt-4o-mini for OpenAI, the one model a
                        compatible server serves otherwise, or DOCCHAT_CHAT_MODEL)
  --embedder <name>     local (default) | openai | gguf (DOCCHAT_EMBEDDING_MODEL_PATH=<file.gguf>)
  --retriever <mode>    hybrid (default) | lexical | dense
  --splitter <name>     recursive (default) | character (the reference's 1000/200 fixed windows)
  -h, --help            this help

Exit status: 0 answered, 1 the model or provider failed, 2 bad input (file, type, password, options).`;

const options = {
  json: { type: 'boolean' },
  questions: { type: 'string' },
  conversation: { type: 'boolean' },
  k: { type: 'string' },
  password: { type: 'string' },
  chat: { type: 'string' },
  model: { type: 'string' },
  embedder: { type: 'string' },
  retriever: { type: 'string' },
  splitter: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `docchat ask`: index one file, then answer one question or a file of questions. Returns the exit status. */
export async function askCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, options, 'ask');
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const [file, question, ...extra] = positionals;
  if (!file) throw new DocchatError('invalid_request', 'Name a file to ask about. Run "docchat ask --help".');
  if (extra.length > 0)
    throw new DocchatError('invalid_request', 'Put the question in quotes: docchat ask <file> "<question>".');
  if ((question === undefined) === (values.questions === undefined))
    throw new DocchatError(
      'invalid_request',
      'Give either one question or --questions <path>, not both or neither.',
    );

  const config = configFrom(values);
  const questions = values.questions ? await readQuestions(values.questions) : [question as string];
  const rag = createRag(
    config,
    values.splitter === 'character' ? { splitter: createCharacterTextSplitter() } : {},
  );
  const index = await indexFile(rag, file, values.password);

  let status = 0;
  const history: ChatMessage[] = [];
  for (const item of questions) {
    const turn = values.json
      ? await answerAsJson(rag, index, item, history)
      : await answerAsText(rag, index, item, history);
    if (turn.failure) status = Math.max(status, turn.failure.kind === 'input' ? 2 : 1);
    else if (values.conversation)
      history.push({ role: 'user', content: item }, { role: 'assistant', content: turn.answer });
  }
  return status;
}

function configFrom(values: Record<string, string | boolean | undefined>): Config {
  const env: Record<string, string | undefined> = { ...process.env };
  const set = (name: string, value: string | boolean | undefined) => {
    if (typeof value === 'string') env[name] = value;
  };
  set('DOCCHAT_K', values.k);
  set('DOCCHAT_CHAT', values.chat);
  set('DOCCHAT_CHAT_MODEL', values.model);
  set('DOCCHAT_EMBEDDER', values.embedder);
  set('DOCCHAT_RETRIEVER', values.retriever);
  if (values.splitter !== undefined && values.splitter !== 'recursive' && values.splitter !== 'character')
    throw new DocchatError('invalid_request', 'Invalid --splitter: use recursive or character.');
  return loadConfig(env);
}

async function readQuestions(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new DocchatError('file_not_found', `Cannot read the questions file ${path}: check the path.`);
  }
  const questions = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (questions.length === 0)
    throw new DocchatError('empty_file', `The questions file ${path} has no questions.`);
  return questions;
}

async function indexFile(rag: Rag, file: string, password: string | undefined): Promise<SearchIndex> {
  const index = rag.createIndex();
  const started = performance.now();
  const name = basename(file);
  const interactive = process.stderr.isTTY === true;
  const labels = { parse: 'reading', split: 'splitting', embed: 'embedding', index: 'indexing' } as const;
  const onEvent = (event: RagEvent) => {
    if (event.type === 'progress' && interactive)
      process.stderr.write(
        `\r\x1b[2Kdocchat: ${labels[event.stage]} ${name} ${event.done}/${event.total}${event.ocr ? ' (OCR)' : ''}`,
      );
  };
  const input = await readInput(file);
  const { summary } = await rag.ingest(input, index, { password, onEvent });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (interactive) process.stderr.write('\r\x1b[2K');
  const pages = [pageCountText(summary), ocrPagesText(summary)]
    .map((part) => (part === null ? '' : `${part}, `))
    .join('');
  process.stderr.write(`docchat: indexed ${name} (${pages}${summary.chunks} chunks) in ${seconds} s\n`);
  return index;
}

/** One answered question, as the CLI prints it. */
interface Turn {
  query: string;
  answer: string;
  sources: Source[];
  model: ModelInfo;
  failure: DocchatError | null;
  /** The answer was cut off at its `max_tokens`. */
  truncated: boolean;
}

async function collect(
  rag: Rag,
  index: SearchIndex,
  question: string,
  history: readonly ChatMessage[],
  onEvent?: (event: RagEvent) => void,
): Promise<Turn> {
  const turn: Turn = {
    query: question,
    answer: '',
    sources: [],
    model: rag.model,
    failure: null,
    truncated: false,
  };
  for await (const event of rag.ask(index, question, { history })) {
    onEvent?.(event);
    if (event.type === 'sources') {
      turn.sources = event.sources;
      turn.query = event.query;
    } else if (event.type === 'text-delta') turn.answer += event.delta;
    else if (event.type === 'done') {
      turn.model = event.model;
      turn.truncated = event.finishReason === 'length';
    } else if (event.type === 'error') turn.failure = new DocchatError(event.error, event.message);
  }
  return turn;
}

async function answerAsJson(
  rag: Rag,
  index: SearchIndex,
  question: string,
  history: readonly ChatMessage[],
): Promise<Turn> {
  const turn = await collect(rag, index, question, history);
  const output: Record<string, unknown> = { question };
  if (turn.query !== question) output.query = turn.query;
  output.answer = turn.answer;
  output.model = turn.model.name;
  output.sources = turn.sources.map(({ source, page, score, text, ocr }) => ({
    source,
    page,
    score: round(score),
    text,
    ...(ocr ? { ocr } : {}),
  }));
  if (turn.truncated) output.truncated = true;
  if (turn.failure) output.error = { error: turn.failure.code, message: turn.failure.message };
  process.stdout.write(`${JSON.stringify(output)}\n`);
  if (turn.truncated) process.stderr.write(`docchat: ${truncationNote}\n`);
  return turn;
}

async function answerAsText(
  rag: Rag,
  index: SearchIndex,
  question: string,
  history: readonly ChatMessage[],
): Promise<Turn> {
  process.stdout.write(`Q: ${question}\n`);
  const turn = await collect(rag, index, question, history, (event) => {
    if (event.type === 'sources') {
      // The model's real name is known once the server was asked (at the first question).
      const label = event.model.extractive
        ? 'offline extractive answer: quoted from the document'
        : event.model.name;
      if (event.query !== question) process.stdout.write(`(searched for: ${event.query})\n`);
      process.stdout.write(`A (${label}):\n`);
    } else if (event.type === 'text-delta') process.stdout.write(event.delta);
  });
  if (turn.failure) {
    process.stdout.write('\n');
    process.stderr.write(`docchat: ${turn.failure.message}\n`);
    return turn;
  }
  if (turn.truncated) process.stderr.write(`\ndocchat: ${truncationNote}\n`);
  process.stdout.write('\n\nSources:\n');
  for (const source of turn.sources) {
    const page = source.page === null ? source.source : `${source.source}, page ${source.page}`;
    // The two innermost headings say where the passage is, as the UI's citations do.
    const where = [page, ...(source.section ?? []).slice(-2)].join(', ');
    const excerpt = source.text.replace(/\s+/g, ' ').slice(0, 160);
    const ocr = source.ocr ? ', text read by OCR' : '';
    process.stdout.write(
      `  [${source.n}] ${where} (score ${round(source.score)}${ocr})\n      ${excerpt}…\n`,
    );
  }
  process.stdout.write('\n');
  return turn;
}

const truncationNote =
  'the answer was cut off at its length limit (DOCCHAT_MAX_ANSWER_TOKENS); ask a narrower question or raise the limit.';

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
