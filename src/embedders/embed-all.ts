import { mapWithConcurrency } from '../core/concurrency.ts';
import { DocchatError, throwIfAborted, toDocchatError } from '../core/errors.ts';
import { type RetryOptions, withRetry } from '../core/retry.ts';
import type { Embedder, EmbedderLimits } from './embedder.ts';

/** Options of {@link embedAll}. */
export interface EmbedAllOptions {
  signal?: AbortSignal;
  /** Called after each request completes, with the number of texts embedded so far. */
  onProgress?: (done: number, total: number) => void;
  /** Told once per call when texts were over `maxTokensPerInput` and trimmed. Default: a process warning. */
  onWarning?: (message: string) => void;
  /** Retry policy per request. Default: 4 retries, 500 ms base delay, 20 s longest wait. */
  retry?: Partial<Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'onRetry'>>;
}

/**
 * Embeds any number of texts with any {@link Embedder}: THE batching policy. Packs texts into requests
 * within the embedder's limits (input count, tokens counted with `countTokens` where the embedder has it, else
 * estimated; over-long texts are trimmed with a warning), keeps at most `limits.concurrency` requests in flight,
 * retries each transient failure, reports progress per batch, and returns vectors in input order.
 * Throws a `DocchatError`; an abort stops in-flight requests, sends no further batch and throws `aborted`.
 */
export async function embedAll(
  embedder: Embedder,
  texts: readonly string[],
  options: EmbedAllOptions = {},
): Promise<Float32Array[]> {
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  if (texts.length === 0) return [];
  const limits = checkLimits(embedder.limits);
  const prepared = embedder.countTokens
    ? await countAndTrim(texts, limits, embedder.countTokens.bind(embedder), signal)
    : {
        texts: texts.map((text) => truncateToTokens(text, limits.maxTokensPerInput)),
        costs: undefined,
        trimmed: 0,
      };
  if (prepared.trimmed > 0) {
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'DocchatWarning'));
    warn(
      `${prepared.trimmed} of ${texts.length} passages were longer than the embedding model takes (${limits.maxTokensPerInput} tokens, DOCCHAT_EMBEDDING_MAX_INPUT_TOKENS) and were embedded from their start only.`,
    );
  }
  const batches = packBatches(prepared.texts, limits, prepared.costs);
  const results: Float32Array[] = new Array(texts.length);
  let done = 0;
  let dimensions = embedder.dimensions;

  try {
    await mapWithConcurrency(
      batches,
      limits.concurrency,
      async (batch, _index, batchSignal) => {
        const vectors = await withRetry(() => embedder.embed(batch.texts, { signal: batchSignal }), {
          retries: 4,
          ...options.retry,
          signal: batchSignal,
        });
        if (vectors.length !== batch.texts.length) {
          throw new DocchatError(
            'upstream_error',
            `The embedder "${embedder.name}" returned ${vectors.length} vectors for ${batch.texts.length} texts.`,
          );
        }
        for (const vector of vectors) {
          dimensions ||= vector.length;
          if (vector.length !== dimensions) {
            throw new DocchatError(
              'upstream_error',
              `The embedder "${embedder.name}" returned vectors of different lengths (${dimensions} and ${vector.length}).`,
            );
          }
        }
        vectors.forEach((vector, offset) => {
          results[batch.start + offset] = vector;
        });
        done += batch.texts.length;
        onProgress?.(done, texts.length);
      },
      { signal },
    );
  } catch (error) {
    throwIfAborted(signal);
    throw toDocchatError(error);
  }
  return results;
}

/** A run of consecutive texts sent in one request; `start` is the index of its first text. */
export interface EmbedBatch {
  start: number;
  texts: string[];
}

/**
 * Greedy, order-preserving packing: a batch closes when the next text would break a limit. With `costs` (counted
 * tokens per text, already within `maxTokensPerInput`) texts are taken as they are; without, they are estimated
 * and truncated.
 */
export function packBatches(
  texts: readonly string[],
  limits: EmbedderLimits,
  costs?: readonly number[],
): EmbedBatch[] {
  const batches: EmbedBatch[] = [];
  let current: EmbedBatch = { start: 0, texts: [] };
  let tokens = 0;
  texts.forEach((raw, index) => {
    const text = costs ? raw : truncateToTokens(raw, limits.maxTokensPerInput);
    const cost = costs?.[index] ?? estimateTokens(text);
    if (
      current.texts.length > 0 &&
      (current.texts.length >= limits.maxInputs || tokens + cost > limits.maxTokensPerRequest)
    ) {
      batches.push(current);
      current = { start: index, texts: [] };
      tokens = 0;
    }
    current.texts.push(text);
    tokens += cost;
  });
  if (current.texts.length > 0) batches.push(current);
  return batches;
}

/**
 * A cheap, deliberately high token estimate: a third of a token per ASCII character (BPE tokenizers
 * average about four), one token per other UTF-16 unit (CJK and emoji often take one or more each).
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

/** The longest prefix of `text` whose {@link estimateTokens} is at most `maxTokens`, never splitting a surrogate pair. */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  let ascii = 0;
  let other = 0;
  let end = 0;
  for (; end < text.length; end++) {
    const isAscii = text.charCodeAt(end) < 128;
    const next = Math.ceil((ascii + (isAscii ? 1 : 0)) / 3) + other + (isAscii ? 0 : 1);
    if (next > maxTokens) break;
    if (isAscii) ascii++;
    else other++;
  }
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/** Counts every text (`concurrency` at a time) and trims those over the per-input limit until they fit. */
async function countAndTrim(
  texts: readonly string[],
  limits: EmbedderLimits,
  count: (text: string, options?: { signal?: AbortSignal }) => Promise<number>,
  signal: AbortSignal | undefined,
): Promise<{ texts: string[]; costs: number[]; trimmed: number }> {
  let trimmed = 0;
  const counted = await mapWithConcurrency(
    texts,
    limits.concurrency,
    async (text, _index, countSignal) => {
      let kept = text;
      let tokens = await count(kept, { signal: countSignal });
      if (tokens > limits.maxTokensPerInput) trimmed++;
      while (tokens > limits.maxTokensPerInput && kept.length > 0) {
        // Cut in proportion, a little more, and count again: tokenizers are not linear, so this may repeat.
        let end = Math.floor((kept.length * limits.maxTokensPerInput * 0.95) / tokens);
        const last = kept.charCodeAt(end - 1);
        if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
        kept = kept.slice(0, Math.min(end, kept.length - 1));
        tokens = await count(kept, { signal: countSignal });
      }
      return { text: kept, tokens };
    },
    signal ? { signal } : {},
  );
  return { texts: counted.map((entry) => entry.text), costs: counted.map((entry) => entry.tokens), trimmed };
}

function checkLimits(limits: EmbedderLimits): EmbedderLimits {
  const fields = ['maxInputs', 'maxTokensPerRequest', 'maxTokensPerInput', 'concurrency'] as const;
  for (const field of fields) {
    const value = limits[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new DocchatError('internal', `Embedder limit ${field} must be a positive integer, got ${value}.`);
    }
  }
  return limits;
}
