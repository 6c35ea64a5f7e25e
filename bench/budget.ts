import type { ChatModel, TokenCounter } from '../src/chat-models/chat-model.ts';
import { createOpenAIChatModel } from '../src/chat-models/openai-chat-model.ts';
import type { ChatMessage, Source } from '../src/core/types.ts';
import { fitPrompt } from '../src/pipeline/fit-prompt.ts';
import { defaultPrompts, formatContext } from '../src/prompts/default-prompts.ts';
import { startFakeOpenAIServer } from '../src/test-helpers/fake-openai-server.ts';
import { syntheticText } from './fixtures.ts';
import { median, round3 } from './measure.ts';

/** The prompt budget's cost per question for one way of counting tokens, beside a loopback time to first token. */
export interface BudgetResult {
  counter: string;
  questions: number;
  contextWindow: number;
  /** The first question: the tokenizer loads (or the server is probed) then. */
  firstMs: number;
  /** Later questions (median): counts of passages and history seen before are cached. */
  fitMs: number;
  /** Median time to the first token of the same question through the loopback fake (no model: the floor). */
  ttftMs: number;
  /** `fitMs` as a share of `ttftMs`. */
  shareOfTtft: number;
  passagesGiven: number;
}

/** Options of {@link benchBudget}. */
export interface BudgetOptions {
  questions: number;
}

export const budgetDefaults: BudgetOptions = { questions: 40 };
export const budgetQuick: BudgetOptions = { questions: 4 };

/**
 * Fits k = 4 fresh passages of about 1,000 characters and six earlier messages per question into the window,
 * counting with OpenAI's o200k encoding, a llama.cpp server's `/tokenize` (loopback), and the pessimistic
 * estimate; then streams the fitted prompt from the loopback fake to time its first token.
 */
export async function benchBudget(options: BudgetOptions): Promise<BudgetResult[]> {
  const text = syntheticText(options.questions * 4 * 1000 + 10_000);
  const passage = (question: number, rank: number): Source => {
    const start = (question * 4 + rank) * 1000;
    return {
      n: rank + 1,
      id: `d#${start}`,
      source: 'bench.txt',
      page: null,
      start,
      end: start + 1000,
      text: text.slice(start, start + 1000),
      score: 1,
    };
  };
  const server = await startFakeOpenAIServer({
    models: ['gpt-4o-mini', 'tiny-llama'],
    reply: 'An answer [1].',
  });
  const results: BudgetResult[] = [];
  try {
    const sides: { counter: string; model: () => ChatModel }[] = [
      {
        counter: 'o200k (gpt-tokenizer)',
        model: () =>
          createOpenAIChatModel({ baseURL: server.url, model: 'gpt-4o-mini', contextWindow: 4096 }),
      },
      {
        counter: 'llama.cpp /tokenize',
        model: () => {
          server.configure({ flavor: 'llama.cpp', contextWindow: 4096 });
          return createOpenAIChatModel({ baseURL: server.url, model: 'tiny-llama' });
        },
      },
      {
        counter: 'pessimistic estimate',
        model: () => {
          server.configure({ flavor: 'ollama', contextWindow: undefined, ollamaNumCtx: 4096 });
          return createOpenAIChatModel({ baseURL: server.url, model: 'tiny-llama' });
        },
      },
    ];
    for (const side of sides) {
      server.reset();
      const chat = side.model();
      const history: ChatMessage[] = [];
      const fits: number[] = [];
      const ttfts: number[] = [];
      let counter: TokenCounter | undefined;
      let given = 0;
      for (let question = 0; question < options.questions; question++) {
        const started = performance.now();
        counter ??= await chat.tokens?.();
        if (counter === undefined) throw new Error('The chat model has no token counter.');
        const query = `What does passage ${question} say about the method?`;
        const fitted = await fitPrompt(
          {
            system: defaultPrompts.system.createMessage(),
            history: history.slice(-6),
            sources: [0, 1, 2, 3].map((rank) => passage(question, rank)),
            render: (sources) =>
              defaultPrompts.user.createMessage({ context: formatContext(sources), question: query }),
            maxAnswerTokens: 512,
          },
          counter,
        );
        fits.push(performance.now() - started);
        given += fitted.sources.length;
        const asked = performance.now();
        for await (const _ of chat.stream({
          messages: fitted.messages,
          question: query,
          query,
          sources: fitted.sources,
          kind: 'question',
          overviews: [],
          maxTokens: fitted.maxTokens,
        })) {
          ttfts.push(performance.now() - asked);
          break;
        }
        history.push(
          { role: 'user', content: query },
          { role: 'assistant', content: `An answer about passage ${question} [1].` },
        );
      }
      const later = fits.slice(1);
      const fitMs = later.length > 0 ? median(later) : (fits[0] ?? 0);
      const ttftMs = median(ttfts);
      results.push({
        counter: side.counter,
        questions: options.questions,
        contextWindow: counter?.contextWindow ?? 0,
        firstMs: round3(fits[0] ?? 0),
        fitMs: round3(fitMs),
        ttftMs: round3(ttftMs),
        shareOfTtft: round3(fitMs / ttftMs),
        passagesGiven: round3(given / options.questions),
      });
    }
  } finally {
    await server.close();
  }
  return results;
}
