import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TokenCounter } from '../chat-models/chat-model.ts';
import type { ChatMessage, Source } from '../core/types.ts';
import { formatContext } from '../prompts/default-prompts.ts';
import { fitPrompt } from './fit-prompt.ts';

/** One token per word-ish piece: deterministic, not additive across joins (like real tokenizers). */
function wordCounter(contextWindow: number, perMessage = 4): TokenCounter {
  return {
    contextWindow,
    perMessage,
    count: async (text) => (text.match(/\w+|[^\w\s]/g) ?? []).length,
  };
}

function source(n: number, text: string): Source {
  return {
    n,
    id: `d#${n}`,
    source: 'paper.pdf',
    page: n,
    start: 100 * n,
    end: 100 * n + text.length,
    text,
    score: 1 / n,
  };
}

const system: ChatMessage = { role: 'system', content: 'Answer from the passages and cite them.' };
const render = (given: readonly Source[]): ChatMessage => ({
  role: 'user',
  content: `Context:\n${formatContext(given)}\n\nQuestion:\nWhat does GRPO do?\n`,
});

async function total(messages: readonly ChatMessage[], counter: TokenCounter): Promise<number> {
  let sum = counter.perMessage;
  for (const message of messages) sum += (await counter.count(message.content)) + counter.perMessage;
  return sum;
}

const sentence = (i: number) => `Sentence ${i} says that group relative policy optimization works well.`;

describe('fitPrompt', () => {
  it('sends everything when it fits, with the answer reserved', async () => {
    const sources = [source(1, sentence(1)), source(2, sentence(2))];
    const history: ChatMessage[] = [
      { role: 'user', content: 'Hi?' },
      { role: 'assistant', content: 'Hello.' },
    ];
    const fitted = await fitPrompt(
      { system, history, sources, render, maxAnswerTokens: 100 },
      wordCounter(4096),
    );
    expect(fitted.sources).toEqual(sources);
    expect(fitted.messages).toEqual([system, ...history, render(sources)]);
    expect(fitted.maxTokens).toBe(100);
    expect(fitted.dropped).toEqual({ passages: 0, trimmed: false, history: 0 });
    expect(fitted.promptTokens).toBe(await total(fitted.messages, wordCounter(4096)));
  });

  it('drops the lowest-ranked passages first, then cuts the last one at a sentence, then drops old history', async () => {
    const long = Array.from({ length: 12 }, (_, i) => sentence(i)).join(' ');
    const sources = [source(1, long), source(2, long), source(3, long)];
    const history: ChatMessage[] = [
      { role: 'user', content: 'An old question about something else entirely?' },
      { role: 'assistant', content: 'An old answer.' },
    ];
    const counter = wordCounter(400);
    const fitted = await fitPrompt({ system, history, sources, render, maxAnswerTokens: 100 }, counter);
    expect(fitted.sources.map((given) => given.n)).toEqual([1, 2]);
    const cut = fitted.sources[1];
    expect(cut?.text.length).toBeLessThan(long.length);
    expect(long.startsWith(cut?.text ?? 'x')).toBe(true);
    expect(cut?.text.endsWith('well.')).toBe(true);
    expect(cut?.end).toBe((cut?.start ?? 0) + (cut?.text.length ?? 0));
    expect(fitted.dropped).toMatchObject({ passages: 1, trimmed: true, history: 2 });
    expect((await total(fitted.messages, counter)) + fitted.maxTokens).toBeLessThanOrEqual(400);
  });

  it('keeps half the window for the prompt when the answer limit is larger', async () => {
    const fitted = await fitPrompt(
      { system, history: [], sources: [], render, maxAnswerTokens: 4096 },
      wordCounter(512),
    );
    expect(fitted.maxTokens).toBe(256);
  });

  it('reports a question too long for the window as context_overflow', async () => {
    const huge = (): ChatMessage => ({ role: 'user', content: 'word '.repeat(1000) });
    await expect(
      fitPrompt({ system, history: [], sources: [], render: huge, maxAnswerTokens: 64 }, wordCounter(512)),
    ).rejects.toMatchObject({ code: 'context_overflow' });
  });

  it('never exceeds the window, whatever the passages, history and window', async () => {
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom('GRPO', 'works.', 'Yes!', '深度', '[1]', '\n'),
          fc.string({ maxLength: 12 }),
        ),
        {
          maxLength: 80,
        },
      )
      .map((words) => words.join(' '));
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { maxLength: 6 }),
        fc.array(text, { maxLength: 8 }),
        fc.integer({ min: 200, max: 3000 }),
        fc.integer({ min: 16, max: 2000 }),
        fc.integer({ min: 0, max: 12 }),
        async (passages, turns, contextWindow, maxAnswerTokens, perMessage) => {
          const counter = wordCounter(contextWindow, perMessage);
          const sources = passages.map((passage, i) => source(i + 1, passage));
          const history = turns.map(
            (content, i): ChatMessage => ({ role: i % 2 ? 'assistant' : 'user', content }),
          );
          const fitted = await fitPrompt({ system, history, sources, render, maxAnswerTokens }, counter);
          expect((await total(fitted.messages, counter)) + fitted.maxTokens).toBeLessThanOrEqual(
            contextWindow,
          );
          expect(fitted.promptTokens).toBe(await total(fitted.messages, counter));
          // Passages keep their rank order and are prefixes of what was retrieved.
          fitted.sources.forEach((given, i) => {
            expect(given.n).toBe(i + 1);
            expect(sources[i]?.text.startsWith(given.text)).toBe(true);
          });
          // History is a suffix: the newest messages are the ones kept.
          expect(fitted.messages.slice(1, -1)).toEqual(
            history.slice(history.length - (fitted.messages.length - 2)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
