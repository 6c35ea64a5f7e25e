import type { TokenCounter } from '../chat-models/chat-model.ts';
import { splitSentences } from '../chat-models/sentences.ts';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { ChatMessage, Source } from '../core/types.ts';

/** Fewest tokens a trimmed passage keeps; below that it is dropped instead (a stub tells the model nothing). */
export const minTrimmedPassageTokens = 24;

/** What {@link fitPrompt} fits into the model's window. */
export interface PromptParts {
  system: ChatMessage;
  /** Earlier messages, oldest first. */
  history: readonly ChatMessage[];
  /** Retrieved passages, best first. */
  sources: readonly Source[];
  /** The user message for the given passages (the question with its context). */
  render: (sources: readonly Source[]) => ChatMessage;
  /** The most the answer may take; less is reserved when the window is small (at most half of it). */
  maxAnswerTokens: number;
  signal?: AbortSignal;
}

/** A prompt that fits: what to send, which passages the model got, and how long the answer may be. */
export interface FittedPrompt {
  messages: ChatMessage[];
  sources: Source[];
  /** `max_tokens` for the answer: the window minus the prompt never falls below it. */
  maxTokens: number;
  /** Tokens of `messages` as counted, template included. */
  promptTokens: number;
  /** Passages left out or cut short, and earlier messages left out, to fit. */
  dropped: { passages: number; trimmed: boolean; history: number };
}

/**
 * THE prompt budget: reserves the answer's tokens, then fits the system prompt and the question (which must fit),
 * the passages in rank order (the last that does not fit whole is cut at a sentence, the rest dropped) and the
 * history, newest first (the oldest go). The counted prompt plus `maxTokens` never exceeds the window, so the
 * model server never has to cut the prompt itself. Throws `context_overflow` when the question alone is too long.
 */
export async function fitPrompt(parts: PromptParts, counter: TokenCounter): Promise<FittedPrompt> {
  const { signal } = parts;
  const cached = cachedCount(counter);
  const count = (text: string) => {
    throwIfAborted(signal);
    return cached(text, signal);
  };
  const messageCost = async (message: ChatMessage) => (await count(message.content)) + counter.perMessage;
  const maxTokens = Math.max(1, Math.min(parts.maxAnswerTokens, Math.floor(counter.contextWindow / 2)));
  // The reply's own opening (`<|im_start|>assistant`) costs one more message overhead.
  const budget = counter.contextWindow - maxTokens - counter.perMessage;

  const systemCost = await messageCost(parts.system);
  const bare = await messageCost(parts.render([]));
  let used = systemCost + bare;
  if (used > budget) {
    throw new DocchatError(
      'context_overflow',
      `The question does not fit the model's context window (${counter.contextWindow} tokens, ${maxTokens} kept for the answer). Ask a shorter question, or set DOCCHAT_CONTEXT_WINDOW if the model has a larger window.`,
      { details: { contextWindow: counter.contextWindow, retryable: false } },
    );
  }

  const sources: Source[] = [];
  let trimmed = false;
  let userCost = bare;
  for (const source of parts.sources) {
    const withIt = await messageCost(parts.render([...sources, source]));
    if (used - userCost + withIt <= budget) {
      sources.push(source);
      used += withIt - userCost;
      userCost = withIt;
      continue;
    }
    const cut = await trimToFit(source, async (candidate) => {
      const cost = await messageCost(parts.render([...sources, candidate]));
      return used - userCost + cost <= budget ? cost : undefined;
    });
    if (cut !== undefined) {
      sources.push(cut.source);
      used += cut.cost - userCost;
      userCost = cut.cost;
      trimmed = true;
    }
    break;
  }

  const history: ChatMessage[] = [];
  for (let i = parts.history.length - 1; i >= 0; i--) {
    const message = parts.history[i] as ChatMessage;
    const cost = await messageCost(message);
    if (used + cost > budget) break;
    history.unshift(message);
    used += cost;
  }

  const messages = [parts.system, ...history, parts.render(sources)];
  return {
    messages,
    sources,
    maxTokens,
    promptTokens: used + counter.perMessage,
    dropped: {
      passages: parts.sources.length - sources.length,
      trimmed,
      history: parts.history.length - history.length,
    },
  };
}

/** The longest sentence-bounded prefix of the passage that `fits` (which returns its cost), if it keeps enough. */
async function trimToFit(
  source: Source,
  fits: (candidate: Source) => Promise<number | undefined>,
): Promise<{ source: Source; cost: number } | undefined> {
  const ends = splitSentences(source.text).map((sentence) => sentence.end);
  let best: { source: Source; cost: number } | undefined;
  // Binary search over the number of sentences kept: costs grow with the prefix.
  let low = 1;
  let high = ends.length - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const text = source.text.slice(0, ends[middle - 1]).trimEnd();
    const candidate: Source = { ...source, text, end: source.start + text.length };
    const cost = await fits(candidate);
    if (cost === undefined) high = middle - 1;
    else {
      best = { source: candidate, cost };
      low = middle + 1;
    }
  }
  if (best === undefined) return undefined;
  const bareCost = await fits({ ...best.source, text: '' });
  if (bareCost !== undefined && best.cost - bareCost < minTrimmedPassageTokens) return undefined;
  return best;
}

// Counts per counter: passages and history come back question after question.
const caches = new WeakMap<TokenCounter, Map<string, number>>();
const maxCachedTexts = 2048;

function cachedCount(counter: TokenCounter): (text: string, signal?: AbortSignal) => Promise<number> {
  let cache = caches.get(counter);
  if (cache === undefined) {
    cache = new Map();
    caches.set(counter, cache);
  }
  const texts = cache;
  return async (text, signal) => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    const tokens = await counter.count(text, signal ? { signal } : {});
    if (texts.size >= maxCachedTexts) texts.delete(texts.keys().next().value as string);
    texts.set(text, tokens);
    return tokens;
  };
}
