import { hostname } from 'node:os';
import { z } from 'zod';
import { DocchatError } from './core/errors.ts';
import type { EmbedderLimits } from './embedders/embedder.ts';
import { defaultOcrSettings, type OcrSettings } from './loaders/ocr-settings.ts';

/** Where an OpenAI-compatible API is and the key it takes. */
export interface Endpoint {
  apiKey?: string;
  baseURL?: string;
}

/** Everything configurable, read once from the environment; see the README's configuration table. */
export interface Config {
  openai: { apiKey?: string; baseURL?: string };
  /** `model` is unset for a compatible server with no model named: the one it serves is used. */
  chat: { provider: 'extractive' | 'openai' | 'gguf'; model?: string };
  embedder: { provider: 'local' | 'openai' | 'gguf'; model: string };
  /** llama.cpp in-process (`DOCCHAT_CHAT=gguf`, `DOCCHAT_EMBEDDER=gguf`): model files and their runtime settings. */
  gguf: { chatModelPath?: string; embeddingModelPath?: string; contextSize: number; threads?: number };
  /** Lexical (BM25) offline, hybrid (BM25 + dense, fused) with a real embedding model: see docs/EVALUATION.md. */
  retriever: 'hybrid' | 'lexical' | 'dense';
  /** How many passages each question retrieves (the reference used 4). */
  k: number;
  server: {
    port: number;
    host: string;
    dataDir: string;
    maxUploadBytes: number;
    sessionTtlMs: number;
    /** How often a streaming answer's text is written to the store, in ms (`DOCCHAT_ANSWER_SAVE_INTERVAL_MS`). */
    answerSaveIntervalMs: number;
  };
  /** OCR of scanned pages and images (on by default, offline). */
  ocr: OcrSettings;
  /** Bounds on one document's ingestion and on the parser workers: see {@link IngestLimits}. */
  limits: IngestLimits;
  /** Per-session and per-address quotas of the server: see {@link Quotas}. */
  quotas: Quotas;
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
  /** PostgreSQL instead of the SQLite file when `url` is set, so several instances can share one database. */
  database: DatabaseConfig;
  /** Sent as `X-Docchat-Instance` on every response, to see which instance behind a balancer answered. */
  instanceId: string;
}

/** How much one document may cost to ingest; past any of these it is refused with `document_too_large`. */
export interface IngestLimits {
  /** Most characters of extracted text (`DOCCHAT_MAX_DOCUMENT_CHARS`). */
  maxDocumentChars: number;
  /** Most PDF pages (`DOCCHAT_MAX_PAGES`). */
  maxPages: number;
  /** Most chunks after splitting (`DOCCHAT_MAX_CHUNKS`). */
  maxChunks: number;
  /** Longest parse of one file, in ms (`DOCCHAT_PARSE_TIMEOUT_MS`). */
  parseTimeoutMs: number;
  /** Most MB a PDF's deflated streams, images left out, may decode to (`DOCCHAT_MAX_PDF_DECODED_MB`). */
  maxPdfDecodedMb: number;
  /** Old-generation heap limit of each parser worker, in MB (`DOCCHAT_PARSER_MAX_HEAP_MB`). */
  parserMaxHeapMb: number;
  /** A parser worker is replaced after this many files (`DOCCHAT_PARSER_RECYCLE_JOBS`). */
  parserRecycleJobs: number;
  /** ... or when its heap holds more than this after a file, in MB (`DOCCHAT_PARSER_RECYCLE_HEAP_MB`). */
  parserRecycleHeapMb: number;
  /** Most files waiting for a parser, over all sessions (`DOCCHAT_PARSE_QUEUE_SIZE`). */
  parseQueueSize: number;
  /** Most files waiting for a parser from one session (`DOCCHAT_PARSE_QUEUE_PER_SESSION`). */
  parseQueuePerSession: number;
  /** Most uploads between their parse and their document stored and indexed (`DOCCHAT_MAX_INGESTING`). */
  maxIngesting: number;
}

/** Server quotas; past one the request gets `429 quota_exceeded` with `Retry-After`. */
export interface Quotas {
  /** `DOCCHAT_SESSION_MAX_CHATS`. */
  maxChatsPerSession: number;
  /** `DOCCHAT_SESSION_MAX_DOCUMENTS`, over all the session's chats. */
  maxDocumentsPerSession: number;
  /** `DOCCHAT_SESSION_MAX_BYTES`: bytes of uploaded files the session's documents may add up to. */
  maxBytesPerSession: number;
  /** `DOCCHAT_SESSION_MESSAGES_PER_MINUTE`: questions one session may ask per minute. */
  messagesPerMinute: number;
  /** `DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE`: new sessions one client address may start per minute. */
  sessionsPerMinutePerAddress: number;
  /** `DOCCHAT_TRUST_PROXY`: how many proxies in front of the server append to X-Forwarded-For (0: ignore it). */
  trustProxyHops: number;
  /** `DOCCHAT_INDEX_CACHE_BYTES`: estimated memory the cached search indexes may hold. */
  indexCacheBytes: number;
  /** `DOCCHAT_HISTORY_MESSAGES`: the last messages of a chat read for each question. */
  historyMessages: number;
}

/** Where chats are stored and how the PostgreSQL pool behaves; see docs/DEPLOY.md. */
export interface DatabaseConfig {
  /** `postgres://...`; unset: the SQLite file in the data directory. */
  url?: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** What a 503 `storage_unavailable` asks clients to wait (`Retry-After`). */
  retryAfterSeconds: number;
  /** SQLite only: the WAL file is cut back to this many bytes after a checkpoint (`DOCCHAT_SQLITE_WAL_LIMIT_MB`). */
  sqliteWalLimitBytes: number;
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
  DOCCHAT_CHAT: z.preprocess(blankToUndefined, z.enum(['extractive', 'openai', 'gguf']).optional()),
  DOCCHAT_CHAT_MODEL: optionalString,
  DOCCHAT_EMBEDDER: z.preprocess(blankToUndefined, z.enum(['local', 'openai', 'gguf']).optional()),
  DOCCHAT_EMBEDDING_MODEL: optionalString,
  DOCCHAT_CHAT_MODEL_PATH: optionalString,
  DOCCHAT_EMBEDDING_MODEL_PATH: optionalString,
  DOCCHAT_GGUF_CONTEXT: integer(4096, 64, 1_048_576),
  DOCCHAT_GGUF_THREADS: integer(0, 0, 1024),
  DOCCHAT_RETRIEVER: z.preprocess(blankToUndefined, z.enum(['hybrid', 'lexical', 'dense']).optional()),
  DOCCHAT_K: integer(4, 1, 50),
  PORT: integer(7860, 0, 65535),
  HOST: optionalString,
  DOCCHAT_DATA_DIR: optionalString,
  DOCCHAT_MAX_UPLOAD_BYTES: integer(2_000_000, 1, 1_000_000_000),
  DOCCHAT_OCR: z.preprocess(blankToUndefined, z.enum(['on', 'off']).default('on')),
  DOCCHAT_OCR_MAX_PAGES: integer(defaultOcrSettings.maxPages, 1, 10_000),
  DOCCHAT_OCR_TIMEOUT_MS: integer(defaultOcrSettings.timeoutMs, 1_000, 86_400_000),
  DOCCHAT_SESSION_TTL_HOURS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
  ),
  DOCCHAT_MAX_DOCUMENT_CHARS: integer(3_000_000, 1, 1_000_000_000),
  DOCCHAT_MAX_PAGES: integer(2_000, 1, 1_000_000),
  DOCCHAT_MAX_CHUNKS: integer(10_000, 1, 10_000_000),
  DOCCHAT_PARSE_TIMEOUT_MS: integer(20_000, 100, 3_600_000),
  DOCCHAT_MAX_PDF_DECODED_MB: integer(100, 1, 1_000_000),
  DOCCHAT_PARSER_MAX_HEAP_MB: integer(512, 64, 65_536),
  DOCCHAT_PARSER_RECYCLE_JOBS: integer(50, 1, 1_000_000),
  DOCCHAT_PARSER_RECYCLE_HEAP_MB: integer(192, 16, 65_536),
  DOCCHAT_PARSE_QUEUE_SIZE: integer(100, 1, 100_000),
  DOCCHAT_PARSE_QUEUE_PER_SESSION: integer(4, 1, 100_000),
  DOCCHAT_MAX_INGESTING: integer(4, 1, 100_000),
  DOCCHAT_SESSION_MAX_CHATS: integer(50, 1, 1_000_000),
  DOCCHAT_SESSION_MAX_DOCUMENTS: integer(100, 1, 1_000_000),
  DOCCHAT_SESSION_MAX_BYTES: integer(100_000_000, 1, 1_000_000_000_000),
  DOCCHAT_SESSION_MESSAGES_PER_MINUTE: integer(30, 1, 1_000_000),
  DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE: integer(60, 1, 1_000_000),
  DOCCHAT_TRUST_PROXY: integer(0, 0, 10),
  DOCCHAT_INDEX_CACHE_BYTES: integer(256_000_000, 1, 1_000_000_000_000),
  DOCCHAT_HISTORY_MESSAGES: integer(20, 1, 10_000),
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
  DOCCHAT_DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  DOCCHAT_DATABASE_POOL_SIZE: integer(10, 1, 1000),
  DOCCHAT_DATABASE_CONNECT_TIMEOUT_MS: integer(5_000, 100, 600_000),
  DOCCHAT_DATABASE_STATEMENT_TIMEOUT_MS: integer(30_000, 100, 3_600_000),
  DOCCHAT_DATABASE_RETRY_AFTER_SECONDS: integer(2, 1, 3600),
  DOCCHAT_SQLITE_WAL_LIMIT_MB: integer(16, 1, 1_000_000),
  DOCCHAT_ANSWER_SAVE_INTERVAL_MS: integer(1_000, 50, 3_600_000),
  DOCCHAT_INSTANCE_ID: optionalString,
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
  requireModelPath(chatProvider, 'DOCCHAT_CHAT', values.DOCCHAT_CHAT_MODEL_PATH, 'DOCCHAT_CHAT_MODEL_PATH');
  requireModelPath(
    embedderProvider,
    'DOCCHAT_EMBEDDER',
    values.DOCCHAT_EMBEDDING_MODEL_PATH,
    'DOCCHAT_EMBEDDING_MODEL_PATH',
  );
  const gguf: Config['gguf'] = { contextSize: values.DOCCHAT_GGUF_CONTEXT };
  if (values.DOCCHAT_CHAT_MODEL_PATH !== undefined) gguf.chatModelPath = values.DOCCHAT_CHAT_MODEL_PATH;
  if (values.DOCCHAT_EMBEDDING_MODEL_PATH !== undefined)
    gguf.embeddingModelPath = values.DOCCHAT_EMBEDDING_MODEL_PATH;
  if (values.DOCCHAT_GGUF_THREADS > 0) gguf.threads = values.DOCCHAT_GGUF_THREADS;
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
    gguf,
    retriever: values.DOCCHAT_RETRIEVER ?? (embedderProvider === 'local' ? 'lexical' : 'hybrid'),
    k: values.DOCCHAT_K,
    server: {
      port: values.PORT,
      host: values.HOST ?? '0.0.0.0',
      dataDir: values.DOCCHAT_DATA_DIR ?? 'data',
      maxUploadBytes: values.DOCCHAT_MAX_UPLOAD_BYTES,
      sessionTtlMs: values.DOCCHAT_SESSION_TTL_HOURS * 3_600_000,
      answerSaveIntervalMs: values.DOCCHAT_ANSWER_SAVE_INTERVAL_MS,
    },
    ocr: {
      enabled: values.DOCCHAT_OCR === 'on',
      maxPages: values.DOCCHAT_OCR_MAX_PAGES,
      timeoutMs: values.DOCCHAT_OCR_TIMEOUT_MS,
    },
    limits: {
      maxDocumentChars: values.DOCCHAT_MAX_DOCUMENT_CHARS,
      maxPages: values.DOCCHAT_MAX_PAGES,
      maxChunks: values.DOCCHAT_MAX_CHUNKS,
      parseTimeoutMs: values.DOCCHAT_PARSE_TIMEOUT_MS,
      maxPdfDecodedMb: values.DOCCHAT_MAX_PDF_DECODED_MB,
      parserMaxHeapMb: values.DOCCHAT_PARSER_MAX_HEAP_MB,
      parserRecycleJobs: values.DOCCHAT_PARSER_RECYCLE_JOBS,
      parserRecycleHeapMb: values.DOCCHAT_PARSER_RECYCLE_HEAP_MB,
      parseQueueSize: values.DOCCHAT_PARSE_QUEUE_SIZE,
      parseQueuePerSession: values.DOCCHAT_PARSE_QUEUE_PER_SESSION,
      maxIngesting: values.DOCCHAT_MAX_INGESTING,
    },
    quotas: {
      maxChatsPerSession: values.DOCCHAT_SESSION_MAX_CHATS,
      maxDocumentsPerSession: values.DOCCHAT_SESSION_MAX_DOCUMENTS,
      maxBytesPerSession: values.DOCCHAT_SESSION_MAX_BYTES,
      messagesPerMinute: values.DOCCHAT_SESSION_MESSAGES_PER_MINUTE,
      sessionsPerMinutePerAddress: values.DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE,
      trustProxyHops: values.DOCCHAT_TRUST_PROXY,
      indexCacheBytes: values.DOCCHAT_INDEX_CACHE_BYTES,
      historyMessages: values.DOCCHAT_HISTORY_MESSAGES,
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
    database: {
      ...(values.DOCCHAT_DATABASE_URL === undefined ? {} : { url: values.DOCCHAT_DATABASE_URL }),
      poolSize: values.DOCCHAT_DATABASE_POOL_SIZE,
      connectTimeoutMs: values.DOCCHAT_DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: values.DOCCHAT_DATABASE_STATEMENT_TIMEOUT_MS,
      retryAfterSeconds: values.DOCCHAT_DATABASE_RETRY_AFTER_SECONDS,
      sqliteWalLimitBytes: values.DOCCHAT_SQLITE_WAL_LIMIT_MB * 1024 * 1024,
    },
    instanceId: values.DOCCHAT_INSTANCE_ID ?? `${hostname()}:${process.pid}`,
  };
}

/** A `gguf` provider runs a model file: its path setting must be there. */
function requireModelPath(
  provider: string,
  setting: string,
  path: string | undefined,
  variable: string,
): void {
  if (provider === 'gguf' && path === undefined) {
    throw new DocchatError(
      'invalid_request',
      `${setting}=gguf needs ${variable}, the path of a .gguf model file.`,
      {
        details: { variable },
      },
    );
  }
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
