import { z } from 'zod';
import { DocchatError } from './core/errors.ts';
import type { EmbedderLimits } from './embedders/embedder.ts';

/** Where an OpenAI-compatible API is and the key it takes. */
export interface Endpoint {
  apiKey?: string;
  baseURL?: string;
}

/** Everything configurable, read once from the environment; see the README's configuration table. */
export interface Config {
  openai: { apiKey?: string; baseURL?: string };
  /** `model` is unset for a compatible server with no model named: the one it serves is used. */
  chat: { provider: 'extractive' | 'openai'; model?: string };
  embedder: { provider: 'local' | 'openai'; model: string };
  /** Lexical (BM25) offline, hybrid (BM25 + dense, fused) with a real embedding model: see docs/EVALUATION.md. */
  retriever: 'hybrid' | 'lexical' | 'dense';
  /** How many passages each question retrieves (the reference used 4). */
  k: number;
  server: { port: number; host: string; dataDir: string; maxUploadBytes: number; sessionTtlMs: number };
  /** The OpenAI-compatible providers: an endpoint per role, the prompt budget, timeouts and batch limits. */
  provider: {
    chat: Endpoint;
    embeddings: Endpoint;
    /** The chat model's window in tokens; unset: asked from the server, else known for OpenAI models. */
    contextWindow?: number;
    /** `max_tokens` of an answer. */
    maxAnswerTokens: number;
    firstTokenTimeoutMs: number;
    streamIdleTimeoutMs: number;
    /** Set limits override the embedder's defaults (OpenAI's, or smaller ones for other servers). */
    embeddingLimits: Partial<EmbedderLimits>;
  };
  /** `cited` asks for [n] after each claim; `reference` is the reference app's templates verbatim. */
  prompts: 'cited' | 'reference';
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const optionalInteger = (min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).optional());
const optionalURL = z.preprocess(blankToUndefined, z.url().optional());

const envSchema = z.object({
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  DOCCHAT_CHAT: z.preprocess(blankToUndefined, z.enum(['extractive', 'openai']).optional()),
  DOCCHAT_CHAT_MODEL: optionalString,
  DOCCHAT_EMBEDDER: z.preprocess(blankToUndefined, z.enum(['local', 'openai']).optional()),
  DOCCHAT_EMBEDDING_MODEL: optionalString,
  DOCCHAT_RETRIEVER: z.preprocess(blankToUndefined, z.enum(['hybrid', 'lexical', 'dense']).optional()),
  DOCCHAT_K: integer(4, 1, 50),
  PORT: integer(7860, 0, 65535),
  HOST: optionalString,
  DOCCHAT_DATA_DIR: optionalString,
  DOCCHAT_MAX_UPLOAD_BYTES: integer(2_000_000, 1, 1_000_000_000),
  DOCCHAT_SESSION_TTL_HOURS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
  ),
  DOCCHAT_CHAT_BASE_URL: optionalURL,
  DOCCHAT_CHAT_API_KEY: optionalString,
  DOCCHAT_EMBEDDING_BASE_URL: optionalURL,
  DOCCHAT_EMBEDDING_API_KEY: optionalString,
  DOCCHAT_CONTEXT_WINDOW: optionalInteger(256, 10_000_000),
  DOCCHAT_MAX_ANSWER_TOKENS: integer(1024, 16, 1_000_000),
  DOCCHAT_FIRST_TOKEN_TIMEOUT_MS: integer(120_000, 100, 3_600_000),
  DOCCHAT_STREAM_IDLE_TIMEOUT_MS: integer(30_000, 100, 3_600_000),
  DOCCHAT_EMBEDDING_MAX_INPUTS: optionalInteger(1, 100_000),
  DOCCHAT_EMBEDDING_MAX_INPUT_TOKENS: optionalInteger(8, 1_000_000),
  DOCCHAT_EMBEDDING_MAX_REQUEST_TOKENS: optionalInteger(8, 100_000_000),
  DOCCHAT_EMBEDDING_CONCURRENCY: optionalInteger(1, 64),
  DOCCHAT_PROMPTS: z.preprocess(blankToUndefined, z.enum(['cited', 'reference']).optional()),
});

/**
 * Reads the configuration from environment variables. With nothing set, everything runs offline: the local
 * embedder and the extractive answerer. Setting OPENAI_API_KEY (or OPENAI_BASE_URL, for Ollama and friends)
 * switches the chat model to OpenAI-compatible; the embedder follows only when an API key is set or
 * DOCCHAT_EMBEDDER=openai, because local servers rarely serve the default embedding model.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    throw new DocchatError('invalid_request', `Invalid ${variable}: ${issue?.message ?? 'bad value'}.`, {
      details: { variable },
    });
  }
  const values = parsed.data;
  const openai: Config['openai'] = endpoint(values.OPENAI_API_KEY, values.OPENAI_BASE_URL);
  // Each role's own setting first, then the shared OPENAI_* ones.
  const chatEndpoint = endpoint(
    values.DOCCHAT_CHAT_API_KEY ?? openai.apiKey,
    values.DOCCHAT_CHAT_BASE_URL ?? openai.baseURL,
  );
  const embeddingEndpoint = endpoint(
    values.DOCCHAT_EMBEDDING_API_KEY ?? openai.apiKey,
    values.DOCCHAT_EMBEDDING_BASE_URL ?? openai.baseURL,
  );
  const chatRemote = chatEndpoint.apiKey !== undefined || chatEndpoint.baseURL !== undefined;
  const embeddingRemote = embeddingEndpoint.apiKey !== undefined || embeddingEndpoint.baseURL !== undefined;
  const chatProvider = values.DOCCHAT_CHAT ?? (chatRemote ? 'openai' : 'extractive');
  const embedderProvider =
    values.DOCCHAT_EMBEDDER ??
    (embeddingEndpoint.apiKey !== undefined || values.DOCCHAT_EMBEDDING_BASE_URL !== undefined
      ? 'openai'
      : 'local');
  if ((chatProvider === 'openai' && !chatRemote) || (embedderProvider === 'openai' && !embeddingRemote)) {
    throw new DocchatError(
      'invalid_request',
      'The OpenAI provider needs OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL (for a compatible server).',
      { details: { variable: 'OPENAI_API_KEY' } },
    );
  }
  return {
    openai,
    // OpenAI itself gets the reference's model; another server is asked what it serves.
    chat: {
      provider: chatProvider,
      model: values.DOCCHAT_CHAT_MODEL ?? (chatEndpoint.baseURL === undefined ? 'gpt-4o-mini' : undefined),
    },
    embedder: {
      provider: embedderProvider,
      model: values.DOCCHAT_EMBEDDING_MODEL ?? 'text-embedding-3-small',
    },
    retriever: values.DOCCHAT_RETRIEVER ?? (embedderProvider === 'openai' ? 'hybrid' : 'lexical'),
    k: values.DOCCHAT_K,
    server: {
      port: values.PORT,
      host: values.HOST ?? '0.0.0.0',
      dataDir: values.DOCCHAT_DATA_DIR ?? 'data',
      maxUploadBytes: values.DOCCHAT_MAX_UPLOAD_BYTES,
      sessionTtlMs: values.DOCCHAT_SESSION_TTL_HOURS * 3_600_000,
    },
    provider: {
      chat: chatEndpoint,
      embeddings: embeddingEndpoint,
      ...(values.DOCCHAT_CONTEXT_WINDOW === undefined
        ? {}
        : { contextWindow: values.DOCCHAT_CONTEXT_WINDOW }),
      maxAnswerTokens: values.DOCCHAT_MAX_ANSWER_TOKENS,
      firstTokenTimeoutMs: values.DOCCHAT_FIRST_TOKEN_TIMEOUT_MS,
      streamIdleTimeoutMs: values.DOCCHAT_STREAM_IDLE_TIMEOUT_MS,
      embeddingLimits: definedOnly({
        maxInputs: values.DOCCHAT_EMBEDDING_MAX_INPUTS,
        maxTokensPerInput: values.DOCCHAT_EMBEDDING_MAX_INPUT_TOKENS,
        maxTokensPerRequest: values.DOCCHAT_EMBEDDING_MAX_REQUEST_TOKENS,
        concurrency: values.DOCCHAT_EMBEDDING_CONCURRENCY,
      }),
    },
    prompts: values.DOCCHAT_PROMPTS ?? 'cited',
  };
}

function endpoint(apiKey: string | undefined, baseURL: string | undefined): Endpoint {
  return {
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(baseURL === undefined ? {} : { baseURL }),
  };
}

function definedOnly<T extends object>(values: { [K in keyof T]: T[K] | undefined }): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
