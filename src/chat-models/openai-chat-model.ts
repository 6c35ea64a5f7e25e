import type OpenAI from 'openai';
import { APIConnectionError, APIError } from 'openai/error';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import { openAIBaseURL, openAIClientOf } from '../core/openai-client.ts';
import { mapOpenAIError, type OpenAIErrorContext } from '../core/openai-errors.ts';
import {
  defaultContextWindow,
  discoverContextWindow,
  estimateTokensPessimistically,
  knownContextWindow,
  probeTokenizer,
  type ServedModel,
  type ServerProbe,
} from '../core/openai-server.ts';
import { loadOpenAITokenizer, openAIEncodingFor } from '../core/openai-tokens.ts';
import { isRetryableError, withRetry } from '../core/retry.ts';
import type { ChatModel, ChatRequest, ModelServerStatus, StreamOptions, TokenCounter } from './chat-model.ts';

/** `max_tokens` when a request sets none (the pipeline always does). */
export const defaultMaxTokens = 1024;

/** Options of {@link createOpenAIChatModel}. */
export interface OpenAIChatModelOptions {
  /** Required for OpenAI itself; optional with `baseURL` (Ollama, vLLM, LM Studio and llama.cpp need none). */
  apiKey?: string;
  /** An OpenAI-compatible server, e.g. `http://localhost:11434/v1`. Default: OpenAI. */
  baseURL?: string;
  /** Default: `gpt-4o-mini` for OpenAI; for another server, the one model it serves (see `connect`). */
  model?: string;
  /** Sent only when set (some reasoning models reject it). */
  temperature?: number;
  /** A ready client (its own retries are disabled per request: the policy here retries). */
  client?: OpenAI;
  /** Attempts after the first, made only before the first token arrives. Default 2. */
  retries?: number;
  /** Wait before the first retry, doubled for each later one. Default 500. */
  retryBaseDelayMs?: number;
  /** Longest wait for the first token of an attempt (a local server may first load the model). Default 120,000. */
  timeoutMs?: number;
  /** Longest silence between two chunks once the answer has started. Default 30,000. */
  streamIdleTimeoutMs?: number;
  /** The model's window in tokens, when known better than the server tells (DOCCHAT_CONTEXT_WINDOW). */
  contextWindow?: number;
  /** Longest wait for the model list and each discovery probe (`/props`, `/api/show`, `/tokenize`). Default 5,000. */
  probeTimeoutMs?: number;
  /** Told about every failed call (each attempt), for one structured log line. */
  onFailure?: (error: DocchatError) => void;
}

type ChunkIterator = AsyncIterator<OpenAI.Chat.Completions.ChatCompletionChunk>;

/** What the stream has told so far, besides its text. */
interface StreamState {
  finishReason: string | null;
  refusal: string;
}

/**
 * A {@link ChatModel} for OpenAI or any OpenAI-compatible server, streaming content deltas with `max_tokens` set.
 * Failures before the first token are retried when retrying can help; a stream that breaks or ends without a
 * finish reason afterwards is `stream_interrupted`. A first token later than `timeoutMs` is `model_timeout`, a
 * silence longer than `streamIdleTimeoutMs` afterwards `stream_stalled`; both abort the upstream request, as does
 * the caller's signal. `tokens()` knows the window (setting, server, table, default) and counts with the real
 * tokenizer where known (OpenAI's encodings, the server's `/tokenize`), else pessimistically.
 */
export function createOpenAIChatModel(options: OpenAIChatModelOptions = {}): ChatModel {
  const isOpenAI =
    !options.client && (options.baseURL === undefined || /api\.openai\.com/.test(options.baseURL));
  const configured = options.model ?? (isOpenAI ? 'gpt-4o-mini' : undefined);
  let model = configured ?? 'unknown';
  const client = openAIClientOf(options.client, { ...options, timeoutMs: 2 * firstTokenMs() });
  const baseURL = options.client ? undefined : (options.baseURL ?? openAIBaseURL);
  const context = (): OpenAIErrorContext => ({ model, baseURL, apiKey: options.apiKey });
  const probe = (signal?: AbortSignal): ServerProbe => ({
    baseURL: baseURL ?? openAIBaseURL,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(signal === undefined ? {} : { signal }),
    timeoutMs: options.probeTimeoutMs ?? 5000,
  });
  let served: ServedModel[] | undefined;
  let connecting: Promise<void> | undefined;
  let counting: Promise<TokenCounter> | undefined;
  let status: ModelServerStatus = { state: 'unknown', checkedAt: null };

  function firstTokenMs(): number {
    return options.timeoutMs ?? 120_000;
  }

  function markUp(): void {
    status = { state: 'up', checkedAt: Date.now() };
  }

  /** Notes a failed call (for the status and the log) and returns it, to be thrown. */
  function record(error: DocchatError): DocchatError {
    if (error.code === 'aborted') return error;
    options.onFailure?.(error);
    const down =
      error.details.retryable === true ||
      ['auth_failed', 'model_not_found', 'model_timeout', 'stream_stalled', 'upstream_timeout'].includes(
        error.code,
      );
    status = down
      ? { state: 'down', checkedAt: Date.now(), error: { error: error.code, message: error.message } }
      : { state: 'up', checkedAt: Date.now() };
    return error;
  }

  function notServed(
    code: 'model_not_found',
    message: string,
    options: { details: Record<string, unknown> },
  ) {
    return record(new DocchatError(code, message, options));
  }

  async function discover(signal?: AbortSignal): Promise<void> {
    let list: ServedModel[];
    try {
      const page = await (await client()).models.list({
        signal,
        maxRetries: 0,
        timeout: options.probeTimeoutMs ?? 5000,
      });
      list = page.data.map(toServedModel);
    } catch (error) {
      const failure = mapOpenAIError(error, { ...context(), signal });
      // A server without a model list can still answer for the model it was told.
      if (configured !== undefined && [404, 405, 501].includes(failure.details.status as number)) {
        served = [];
        return;
      }
      record(failure);
      throw failure;
    }
    markUp();
    served = list;
    const names = list.map((entry) => entry.id);
    const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')}, ...` : names.join(', ');
    const where = describe(baseURL);
    if (configured !== undefined) {
      if (names.length > 0 && !names.includes(configured)) {
        throw notServed(
          'model_not_found',
          `${where} does not serve the model "${configured}"; it serves: ${shown}. Set DOCCHAT_CHAT_MODEL to one of them.`,
          { details: { model: configured, available: names.slice(0, 100) } },
        );
      }
      return;
    }
    if (names.length !== 1 || names[0] === undefined) {
      throw notServed(
        'model_not_found',
        names.length === 0
          ? `${where} serves no model. Load one, or set DOCCHAT_CHAT_MODEL.`
          : `${where} serves several models (${shown}). Set DOCCHAT_CHAT_MODEL to the one to answer with.`,
        { details: { model: null, available: names.slice(0, 100) } },
      );
    }
    model = names[0];
  }

  function connect({ signal }: { signal?: AbortSignal } = {}): Promise<void> {
    if (connecting === undefined) {
      const attempt = discover(signal);
      connecting = attempt;
      // A failed check is made again next time (the server may have been started since).
      attempt.catch(() => {
        if (connecting === attempt) connecting = undefined;
      });
    }
    return connecting;
  }

  async function makeCounter(signal?: AbortSignal): Promise<TokenCounter> {
    if (configured === undefined) await connect({ signal });
    const contextWindow =
      options.contextWindow ??
      (isOpenAI ? knownContextWindow(model) : undefined) ??
      (isOpenAI
        ? undefined
        : (await discoverContextWindow(model, served ?? [], probe(signal)))?.contextWindow) ??
      knownContextWindow(model) ??
      defaultContextWindow;
    const encoding = openAIEncodingFor(model);
    if (isOpenAI && encoding) {
      const count = await loadOpenAITokenizer(encoding);
      return { contextWindow, perMessage: 4, count: async (text) => count(text) };
    }
    const server = isOpenAI || baseURL === undefined ? undefined : await probeTokenizer(model, probe(signal));
    // The server's tokenizer leaves out its chat template, which costs a few tokens per message.
    if (server)
      return { contextWindow, perMessage: 10, count: (text, { signal } = {}) => server(text, signal) };
    if (encoding) {
      // An OpenAI model behind a proxy (Azure, LiteLLM): its encoding, with room for the proxy's template.
      const count = await loadOpenAITokenizer(encoding);
      return { contextWindow, perMessage: 8, count: async (text) => count(text) };
    }
    return { contextWindow, perMessage: 10, count: async (text) => estimateTokensPessimistically(text) };
  }

  function tokens({ signal }: { signal?: AbortSignal } = {}): Promise<TokenCounter> {
    if (counting === undefined) {
      const attempt = makeCounter(signal);
      counting = attempt;
      attempt.catch(() => {
        if (counting === attempt) counting = undefined;
      });
    }
    return counting;
  }

  async function* stream(request: ChatRequest, streamOptions: StreamOptions = {}): AsyncGenerator<string> {
    const { signal, onFinish } = streamOptions;
    throwIfAborted(signal);
    if (configured === undefined) await connect({ signal });
    const state: StreamState = { finishReason: null, refusal: '' };
    // Aborts the upstream request on a timeout as well as on the caller's signal.
    let upstream = new AbortController();
    const maxTokens = request.maxTokens ?? defaultMaxTokens;

    // Only the opening is retried: once text has reached the caller, a retry would repeat or contradict it.
    const opened = await withRetry(
      async () => {
        state.finishReason = null;
        state.refusal = '';
        upstream = new AbortController();
        const attemptSignal = signal ? AbortSignal.any([signal, upstream.signal]) : upstream.signal;
        const callContext = { ...context(), signal };
        const deadline = Date.now() + firstTokenMs();
        const firstToken = () =>
          within(deadline - Date.now(), upstream, () =>
            failure(
              'model_timeout',
              `${describe(baseURL)} sent no answer within ${Math.round(firstTokenMs() / 1000)} s (DOCCHAT_FIRST_TOKEN_TIMEOUT_MS). It may still be loading the model, or be overloaded.`,
            ),
          );
        let iterator: ChunkIterator;
        try {
          const response = await firstToken()(
            (await client()).chat.completions.create(
              {
                model,
                messages: request.messages,
                stream: true,
                // OpenAI's reasoning models take only the newer name; other servers know the older one.
                ...(isOpenAI ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }),
                ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
              },
              { signal: attemptSignal, maxRetries: 0 },
            ),
          );
          iterator = response[Symbol.asyncIterator]();
        } catch (error) {
          throw record(error instanceof DocchatError ? error : mapOpenAIError(error, callContext));
        }
        try {
          for (;;) {
            const result = await firstToken()(iterator.next());
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
          throw record(interrupted(error, callContext, state));
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
    markUp();

    const { iterator } = opened;
    const idleMs = options.streamIdleTimeoutMs ?? 30_000;
    const idle = () =>
      within(idleMs, upstream, () =>
        failure(
          'stream_stalled',
          `${describe(baseURL)} stopped sending the answer for ${Math.round(idleMs / 1000)} s (DOCCHAT_STREAM_IDLE_TIMEOUT_MS); the request was cancelled.`,
        ),
      );
    try {
      if (opened.first !== '') yield opened.first;
      let ended = opened.ended;
      while (!ended) {
        let result: IteratorResult<OpenAI.Chat.Completions.ChatCompletionChunk>;
        try {
          result = await idle()(iterator.next());
        } catch (error) {
          // A connection dropped after the finish reason has lost nothing of the answer.
          if (state.finishReason !== null && !signal?.aborted) break;
          throw record(interrupted(error, { ...context(), signal }, state));
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
          'The model declined to answer this request under its content policy. Rephrase the question.',
          { details: { finishReason: state.finishReason } },
        );
      }
      if (state.finishReason === null) throw record(endedEarly());
      onFinish?.(state.finishReason === 'length' ? 'length' : 'stop');
    } finally {
      // Stops the upstream request when the caller leaves early (break, abort, or an error above).
      await closeQuietly(iterator);
    }
  }

  return {
    get info() {
      return { name: model, extractive: false };
    },
    connect,
    status: () => status,
    tokens,
    stream,
  };

  function failure(code: 'model_timeout' | 'stream_stalled', message: string): DocchatError {
    return new DocchatError(code, message, {
      details: { host: hostName(baseURL), model, status: null, retryable: false },
    });
  }
}

/**
 * Races a promise against a timer: on expiry the upstream request is aborted and `expired()` is thrown.
 * Returns a function so one deadline can wrap several awaits.
 */
function within(
  ms: number,
  upstream: AbortController,
  expired: () => DocchatError,
): <T>(promise: Promise<T>) => Promise<T> {
  return async (promise) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const error = expired();
          upstream.abort(error);
          reject(error);
        },
        Math.max(0, ms),
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

function toServedModel(entry: OpenAI.Models.Model): ServedModel {
  const raw = entry as unknown as Record<string, unknown>;
  const meta = typeof raw.meta === 'object' && raw.meta !== null ? (raw.meta as Record<string, unknown>) : {};
  const window = raw.max_model_len ?? meta.n_ctx_train;
  return {
    id: entry.id,
    ...(typeof window === 'number' && window > 0 && raw.max_model_len !== undefined
      ? { contextWindow: window }
      : {}),
  };
}

function describe(baseURL: string | undefined): string {
  if (!baseURL || /api\.openai\.com/.test(baseURL)) return 'OpenAI';
  try {
    return `The model server at ${new URL(baseURL).origin}`;
  } catch {
    return 'The model server';
  }
}

function hostName(baseURL: string | undefined): string | null {
  try {
    return new URL(baseURL ?? openAIBaseURL).host;
  } catch {
    return null;
  }
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

/**
 * An error while reading the stream: what the server reported (its error event, a timeout, an abort, a refusal)
 * keeps its code; a lost connection interrupted the answer.
 */
function interrupted(error: unknown, context: OpenAIErrorContext, state: StreamState): DocchatError {
  const mapped = mapOpenAIError(error, context);
  const reported = error instanceof APIError && !(error instanceof APIConnectionError);
  if (reported || error instanceof DocchatError || mapped.code === 'aborted') return mapped;
  return new DocchatError(
    'stream_interrupted',
    'The answer stopped before it was complete: the connection to the model server was lost. Ask again.',
    { cause: error, details: { ...mapped.details, reason: mapped.code, finishReason: state.finishReason } },
  );
}

/** A stream that finished cleanly but without a finish reason: the server gave up on the answer. */
function endedEarly(): DocchatError {
  return new DocchatError(
    'stream_interrupted',
    'The answer stopped before it was complete: the model server closed the stream early. Ask again.',
  );
}

async function closeQuietly(iterator: ChunkIterator): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The stream is being abandoned; a failure to close it changes nothing for the caller.
  }
}
