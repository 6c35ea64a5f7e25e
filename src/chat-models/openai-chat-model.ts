import type OpenAI from 'openai';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import { openAIBaseURL, openAIClientOf } from '../core/openai-client.ts';
import { mapOpenAIError, type OpenAIErrorContext } from '../core/openai-errors.ts';
import { isRetryableError, withRetry } from '../core/retry.ts';
import type { ChatModel, ChatRequest } from './chat-model.ts';

/** Options of {@link createOpenAIChatModel}. */
export interface OpenAIChatModelOptions {
  /** Required for OpenAI itself; optional with `baseURL` (Ollama, vLLM, LM Studio and llama.cpp need none). */
  apiKey?: string;
  /** An OpenAI-compatible server, e.g. `http://localhost:11434/v1`. Default: OpenAI. */
  baseURL?: string;
  /** Default `gpt-4o-mini`. */
  model?: string;
  /** Sent only when set (some reasoning models reject it). */
  temperature?: number;
  /** A ready client (its own retries are disabled per request: the policy here retries). */
  client?: OpenAI;
  /** Attempts after the first, made only before the first token arrives. Default 2. */
  retries?: number;
  /** Wait before the first retry, doubled for each later one. Default 500. */
  retryBaseDelayMs?: number;
  /** Longest wait for the response to start. Default 120,000 (a local server may first load the model). */
  timeoutMs?: number;
}

type ChunkIterator = AsyncIterator<OpenAI.Chat.Completions.ChatCompletionChunk>;

/** What the stream has told so far, besides its text. */
interface StreamState {
  finishReason: string | null;
  refusal: string;
}

/**
 * A {@link ChatModel} for OpenAI or any OpenAI-compatible server, streaming content deltas.
 * Failures before the first token are retried; a stream that breaks or ends without a finish reason
 * afterwards is `stream_interrupted`. Aborting the signal closes the upstream request.
 */
export function createOpenAIChatModel(options: OpenAIChatModelOptions = {}): ChatModel {
  const model = options.model ?? 'gpt-4o-mini';
  const client = openAIClientOf(options.client, options);
  const context: OpenAIErrorContext = {
    model,
    baseURL: options.client ? undefined : (options.baseURL ?? openAIBaseURL),
    apiKey: options.apiKey,
  };

  async function* stream(
    request: ChatRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): AsyncGenerator<string> {
    throwIfAborted(signal);
    const callContext = { ...context, signal };
    const state: StreamState = { finishReason: null, refusal: '' };

    // Only the opening is retried: once text has reached the caller, a retry would repeat or contradict it.
    const opened = await withRetry(
      async () => {
        state.finishReason = null;
        state.refusal = '';
        let iterator: ChunkIterator;
        try {
          const response = await (await client()).chat.completions.create(
            {
              model,
              messages: request.messages,
              stream: true,
              ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
            },
            { signal, maxRetries: 0 },
          );
          iterator = response[Symbol.asyncIterator]();
        } catch (error) {
          throw mapOpenAIError(error, callContext);
        }
        try {
          for (;;) {
            const result = await iterator.next();
            if (result.done) {
              // Ended before any text and without a finish reason: nothing was said, so another attempt is safe.
              if (state.finishReason === null && !signal?.aborted) throw endedEarly();
              return { iterator, first: '', ended: true };
            }
            const text = readChunk(result.value, state);
            if (text !== '') return { iterator, first: text, ended: false };
          }
        } catch (error) {
          await closeQuietly(iterator);
          throw interrupted(error, callContext, state);
        }
      },
      {
        retries: options.retries ?? 2,
        baseDelayMs: options.retryBaseDelayMs ?? 500,
        signal,
        isRetryable: (error) =>
          isRetryableError(error) || (error instanceof DocchatError && error.code === 'stream_interrupted'),
      },
    );

    const { iterator } = opened;
    try {
      if (opened.first !== '') yield opened.first;
      let ended = opened.ended;
      while (!ended) {
        let result: IteratorResult<OpenAI.Chat.Completions.ChatCompletionChunk>;
        try {
          result = await iterator.next();
        } catch (error) {
          // A connection dropped after the finish reason has lost nothing of the answer.
          if (state.finishReason !== null && !signal?.aborted) break;
          throw interrupted(error, callContext, state);
        }
        if (result.done) {
          ended = true;
        } else {
          const text = readChunk(result.value, state);
          if (text !== '') yield text;
        }
      }
      throwIfAborted(signal);
      if (state.finishReason === 'content_filter' || (state.refusal !== '' && state.finishReason !== null)) {
        throw new DocchatError(
          'request_refused',
          'The model declined to answer this request under its content policy. Rephrase the question and try again.',
          { details: { finishReason: state.finishReason } },
        );
      }
      if (state.finishReason === null) throw endedEarly();
    } finally {
      // Stops the upstream request when the caller leaves early (break, abort, or an error above).
      await closeQuietly(iterator);
    }
  }

  return { info: { name: model, extractive: false }, stream };
}

/** Returns the chunk's content delta (or '') and records its finish reason and refusal text. */
function readChunk(chunk: OpenAI.Chat.Completions.ChatCompletionChunk, state: StreamState): string {
  // Odd servers send chunks without `choices`, or usage-only chunks with an empty array.
  const choice = Array.isArray(chunk?.choices) ? chunk.choices[0] : undefined;
  if (!choice) return '';
  // Typed as a fixed set, but other servers send their own reasons (and some send an empty string).
  const finishReason: unknown = choice.finish_reason;
  if (typeof finishReason === 'string' && finishReason !== '') state.finishReason = finishReason;
  const delta = choice.delta;
  if (typeof delta?.refusal === 'string') state.refusal += delta.refusal;
  return typeof delta?.content === 'string' ? delta.content : '';
}

/** An error while reading the stream: aborts and refusals keep their code, anything else interrupted it. */
function interrupted(error: unknown, context: OpenAIErrorContext, state: StreamState): DocchatError {
  const mapped = mapOpenAIError(error, context);
  if (['aborted', 'request_refused', 'stream_interrupted'].includes(mapped.code)) return mapped;
  return new DocchatError(
    'stream_interrupted',
    'The answer stopped before it was complete: the connection to the model server was lost. Try again.',
    { cause: error, details: { reason: mapped.code, finishReason: state.finishReason } },
  );
}

/** A stream that finished cleanly but without a finish reason: the server gave up on the answer. */
function endedEarly(): DocchatError {
  return new DocchatError(
    'stream_interrupted',
    'The answer stopped before it was complete: the model server closed the stream early. Try again.',
  );
}

async function closeQuietly(iterator: ChunkIterator): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The stream is being abandoned; a failure to close it changes nothing for the caller.
  }
}
