import type OpenAI from 'openai';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import { openAIBaseURL, openAIClientOf } from '../core/openai-client.ts';
import { mapOpenAIError } from '../core/openai-errors.ts';
import { estimateTokensPessimistically, probeTokenizer } from '../core/openai-server.ts';
import { loadOpenAITokenizer, openAIEncodingFor } from '../core/openai-tokens.ts';
import type { Embedder, EmbedderLimits } from './embedder.ts';

/** Options of {@link createOpenAIEmbedder}. */
export interface OpenAIEmbedderOptions {
  /** Required for OpenAI itself; optional with `baseURL` (Ollama, vLLM, LM Studio and llama.cpp need none). */
  apiKey?: string;
  /** An OpenAI-compatible server, e.g. `http://localhost:11434/v1`. Default: OpenAI. */
  baseURL?: string;
  /** Default `text-embedding-3-small`. */
  model?: string;
  /** Requested vector length (text-embedding-3 models can shorten their vectors). */
  dimensions?: number;
  /** A ready client (its own retries are disabled per request: retries belong to `embedAll`). */
  client?: OpenAI;
  /** Overrides of the default limits ({@link openAIEmbeddingLimits} for OpenAI, else {@link serverEmbeddingLimits}). */
  limits?: Partial<EmbedderLimits>;
  /** Longest wait for one request. Default 120,000 (a local server may first load the model). */
  timeoutMs?: number;
  /** Longest wait for the `/tokenize` probe of a server. Default 5,000. */
  probeTimeoutMs?: number;
  /** Told about every failed request, for one structured log line. */
  onFailure?: (error: DocchatError) => void;
}

/** Vector lengths of OpenAI's embedding models, known without a call. */
export const knownEmbeddingDimensions: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** OpenAI's documented request limits, with a concurrency that stays clear of typical rate limits. */
export const openAIEmbeddingLimits: EmbedderLimits = {
  maxInputs: 2048,
  maxTokensPerRequest: 300_000,
  maxTokensPerInput: 8191,
  concurrency: 4,
};

/**
 * Limits for other OpenAI-compatible servers: llama.cpp embeds each input in one physical batch (512 tokens by
 * default, less room for its special tokens) and small servers do best with one request at a time.
 */
export const serverEmbeddingLimits: EmbedderLimits = {
  maxInputs: 32,
  maxTokensPerRequest: 8192,
  maxTokensPerInput: 500,
  concurrency: 1,
};

/**
 * An {@link Embedder} for OpenAI or any OpenAI-compatible server: one `embed()` is one API call.
 * `dimensions` is known up front for OpenAI's models or when the option is given (responses must match it);
 * otherwise it is `0` until the first successful call, and then follows the server's responses (a server given
 * another model under the same name changes it; each batch must be of one length).
 */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions = {}): Embedder {
  const model = options.model ?? 'text-embedding-3-small';
  const baseURL = options.baseURL ?? openAIBaseURL;
  if (options.dimensions !== undefined && (!Number.isInteger(options.dimensions) || options.dimensions < 1)) {
    throw new DocchatError(
      'invalid_request',
      `Embedding dimensions must be a positive integer, got ${options.dimensions}.`,
    );
  }
  const client = openAIClientOf(options.client, options);
  const isOpenAI = !options.client && /api\.openai\.com/.test(baseURL);
  const encoding = openAIEncodingFor(model);
  let counter: Promise<(text: string, signal?: AbortSignal) => Promise<number>> | undefined;
  const makeCounter = async (): Promise<(text: string, signal?: AbortSignal) => Promise<number>> => {
    if (isOpenAI && encoding) {
      const count = await loadOpenAITokenizer(encoding);
      return async (text) => count(text);
    }
    const server = await probeTokenizer(model, {
      baseURL,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      timeoutMs: options.probeTimeoutMs ?? 5000,
    });
    return server ?? (async (text) => estimateTokensPessimistically(text));
  };
  const context = { model, baseURL: options.client ? undefined : baseURL, apiKey: options.apiKey };
  const fixedDimensions = options.dimensions ?? knownEmbeddingDimensions[model] ?? 0;
  let dimensions = fixedDimensions;

  return {
    name: options.dimensions === undefined ? model : `${model}@${options.dimensions}`,
    get dimensions() {
      return dimensions;
    },
    limits: { ...(isOpenAI ? openAIEmbeddingLimits : serverEmbeddingLimits), ...options.limits },
    async countTokens(text, { signal } = {}) {
      if (counter === undefined) {
        const attempt = makeCounter();
        counter = attempt;
        attempt.catch(() => {
          if (counter === attempt) counter = undefined;
        });
      }
      return (await counter)(text, signal);
    },
    async embed(texts, { signal } = {}) {
      throwIfAborted(signal);
      if (texts.length === 0) return [];
      let response: OpenAI.Embeddings.CreateEmbeddingResponse;
      try {
        response = await (await client()).embeddings.create(
          {
            model,
            // OpenAI rejects empty inputs; a space embeds as "nothing" without failing the whole batch.
            input: texts.map((text) => (text === '' ? ' ' : text)),
            // Floats, not the SDK's default base64: not every OpenAI-compatible server speaks base64.
            encoding_format: 'float',
            ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
          },
          { signal, maxRetries: 0 },
        );
      } catch (error) {
        const failure = mapOpenAIError(error, { ...context, signal });
        if (failure.code !== 'aborted') options.onFailure?.(failure);
        throw failure;
      }
      // A length that was only learned from the server follows it: the server may have been given another model
      // under the same name (the index cache then embeds stored passages again). A set length is held to.
      const vectors = toVectors(response, texts.length, fixedDimensions);
      dimensions = vectors[0]?.length ?? dimensions;
      return vectors;
    },
  };
}

function toVectors(
  response: OpenAI.Embeddings.CreateEmbeddingResponse,
  expected: number,
  dimensions: number,
): Float32Array[] {
  const data = Array.isArray(response?.data) ? response.data : [];
  if (data.length !== expected) {
    throw new DocchatError(
      'upstream_error',
      `The embedding server returned ${data.length} vectors for ${expected} texts. Check that the model is an embedding model.`,
    );
  }
  // Some servers omit `index`; their data is then taken in order.
  const ordered = data.every((item) => typeof item.index === 'number')
    ? [...data].sort((a, b) => a.index - b.index)
    : data;
  const vectors = ordered.map((item) => Float32Array.from(item.embedding as ArrayLike<number>));
  const length = dimensions || vectors[0]?.length || 0;
  if (length === 0 || vectors.some((vector) => vector.length !== length)) {
    throw new DocchatError(
      'upstream_error',
      `The embedding server returned vectors of ${vectors[0]?.length ?? 0} dimensions where ${length} were expected. Check the model and dimensions settings.`,
    );
  }
  return vectors;
}
