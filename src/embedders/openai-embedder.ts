import type OpenAI from 'openai';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import { openAIBaseURL, openAIClientOf } from '../core/openai-client.ts';
import { mapOpenAIError } from '../core/openai-errors.ts';
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
  /** Overrides of the OpenAI limits, e.g. a lower `concurrency` for a small local server. */
  limits?: Partial<EmbedderLimits>;
  /** Longest wait for one request. Default 120,000 (a local server may first load the model). */
  timeoutMs?: number;
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
 * An {@link Embedder} for OpenAI or any OpenAI-compatible server: one `embed()` is one API call.
 * `dimensions` is known up front for OpenAI's models or when the option is given; otherwise it is `0`
 * until the first successful call, which sets it from the response (later responses must match).
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
  const context = { model, baseURL: options.client ? undefined : baseURL, apiKey: options.apiKey };
  let dimensions = options.dimensions ?? knownEmbeddingDimensions[model] ?? 0;

  return {
    name: options.dimensions === undefined ? model : `${model}@${options.dimensions}`,
    get dimensions() {
      return dimensions;
    },
    limits: { ...openAIEmbeddingLimits, ...options.limits },
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
        throw mapOpenAIError(error, { ...context, signal });
      }
      const vectors = toVectors(response, texts.length, dimensions);
      if (dimensions === 0) dimensions = vectors[0]?.length ?? 0;
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
