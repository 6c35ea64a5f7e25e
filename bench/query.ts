import { loadConfig } from '../src/config.ts';
import type { LoadInput } from '../src/loaders/loader.ts';
import { createRag } from '../src/pipeline/create-rag.ts';
import { readPaper, syntheticText } from './fixtures.ts';
import { median, quantile, round3 } from './measure.ts';

/** One document's query figures under one configuration: medians in ms over all questions and rounds. */
export interface QueryResult {
  document: string;
  config: string;
  chunks: number;
  /** Question asked to the first event (`sources`). */
  firstEventMs: number;
  /** Question asked to the last event (`done`). */
  lastEventMs: number;
  lastEventP90Ms: number;
  questions: number;
  /** Every answer ended with `done` (none with `error`). */
  allDone: boolean;
}

/** Sizes and repetitions of the query part. */
export interface QueryOptions {
  textCharacters: number;
  includePaper: boolean;
  warmup: number;
  rounds: number;
}

/** The full run. */
export const queryDefaults: QueryOptions = {
  textCharacters: 2_000_000,
  includePaper: true,
  warmup: 1,
  rounds: 5,
};

/** A CI-sized run. */
export const queryQuick: QueryOptions = { textCharacters: 50_000, includePaper: false, warmup: 0, rounds: 1 };

const paperQuestions = [
  'What is GRPO and why is it used instead of PPO?',
  'How does DeepSeek-R1-Zero differ from DeepSeek-R1?',
  'What score does DeepSeek-R1 reach on AIME 2024?',
  'Which models were distilled from DeepSeek-R1?',
  'Summarize the paper.',
];

const textQuestions = [
  'How does the reward improve the policy?',
  'What does the evaluation of distillation show?',
  'Which baseline is compared across tasks?',
  'What is the temperature of sampling?',
  'Summarize the document.',
];

const configurations: readonly { name: string; env: Record<string, string> }[] = [
  { name: 'offline default (lexical)', env: {} },
  { name: 'offline hybrid (local embedder)', env: { DOCCHAT_RETRIEVER: 'hybrid' } },
];

/** Asks fixed questions offline over the paper's index and a 2 MB document's, timing first and last events. */
export async function benchQuery(options: QueryOptions): Promise<QueryResult[]> {
  const inputs: { input: LoadInput; questions: readonly string[] }[] = [];
  if (options.includePaper) {
    const paper = await readPaper();
    if (paper !== null)
      inputs.push({ input: { name: 'DeepSeek_R1.pdf', data: paper }, questions: paperQuestions });
  }
  const text = new TextEncoder().encode(syntheticText(options.textCharacters));
  inputs.push({
    input: { name: `synthetic-${options.textCharacters / 1000}kB.txt`, data: text },
    questions: textQuestions,
  });

  const results: QueryResult[] = [];
  for (const configuration of configurations) {
    const rag = createRag(loadConfig(configuration.env));
    for (const { input, questions } of inputs) {
      const index = rag.createIndex();
      const ingested = await rag.ingest(input, index);
      const first: number[] = [];
      const last: number[] = [];
      let allDone = true;
      for (let round = 0; round < options.warmup + options.rounds; round++) {
        for (const question of questions) {
          const started = performance.now();
          let firstAt = Number.NaN;
          let lastType = '';
          for await (const event of rag.ask(index, question)) {
            if (Number.isNaN(firstAt)) firstAt = performance.now();
            lastType = event.type;
          }
          const lastAt = performance.now();
          if (lastType !== 'done') allDone = false;
          if (round >= options.warmup) {
            first.push(firstAt - started);
            last.push(lastAt - started);
          }
        }
      }
      results.push({
        document: input.name,
        config: configuration.name,
        chunks: ingested.chunks.length,
        firstEventMs: round3(median(first)),
        lastEventMs: round3(median(last)),
        lastEventP90Ms: round3(quantile(last, 0.9)),
        questions: first.length,
        allDone,
      });
    }
  }
  return results;
}
