import { loadConfig } from '../src/config.ts';
import type { LoadInput } from '../src/loaders/loader.ts';
import { createRag } from '../src/pipeline/create-rag.ts';
import type { SearchIndex } from '../src/retrieval/search-index.ts';
import { readPaper, syntheticText } from './fixtures.ts';
import { median, quantile, round3 } from './measure.ts';

/** One document's query figures under one configuration: medians in ms over all questions and rounds. */
export interface QueryResult {
  document: string;
  config: string;
  chunks: number;
  /** Question asked to the first event (`sources`), on an index that has answered before. */
  firstEventMs: number;
  /** The same for the first question an index ever gets (per-index work done lazily is paid here). */
  coldFirstEventMs: number;
  coldLastEventMs: number;
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
      const coldFirst: number[] = [];
      const coldLast: number[] = [];
      let allDone = true;
      const askOnce = async (target: SearchIndex, text: string) => {
        const started = performance.now();
        let firstAt = Number.NaN;
        let lastType = '';
        for await (const event of rag.ask(target, text)) {
          if (Number.isNaN(firstAt)) firstAt = performance.now();
          lastType = event.type;
        }
        if (lastType !== 'done') allDone = false;
        return { first: firstAt - started, last: performance.now() - started };
      };
      for (let round = 0; round < options.warmup + options.rounds; round++) {
        const fresh = rag.createIndex();
        await rag.ingest(input, fresh);
        const timing = await askOnce(fresh, questions[0] as string);
        if (round >= options.warmup) {
          coldFirst.push(timing.first);
          coldLast.push(timing.last);
        }
      }
      for (let round = 0; round < options.warmup + options.rounds; round++) {
        for (const question of questions) {
          const timing = await askOnce(index, question);
          if (round >= options.warmup) {
            first.push(timing.first);
            last.push(timing.last);
          }
        }
      }
      results.push({
        document: input.name,
        config: configuration.name,
        chunks: ingested.chunks.length,
        firstEventMs: round3(median(first)),
        coldFirstEventMs: round3(median(coldFirst)),
        coldLastEventMs: round3(median(coldLast)),
        lastEventMs: round3(median(last)),
        lastEventP90Ms: round3(quantile(last, 0.9)),
        questions: first.length,
        allDone,
      });
    }
  }
  return results;
}
