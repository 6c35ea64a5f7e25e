import { hostname } from 'node:os';
import { z } from 'zod';
import { DocchatError } from './core/errors.ts';

/** Everything configurable, read once from the environment; see the README's configuration table. */
export interface Config {
  openai: { apiKey?: string; baseURL?: string };
  chat: { provider: 'extractive' | 'openai'; model: string };
  embedder: { provider: 'local' | 'openai'; model: string };
  /** Lexical (BM25) offline, hybrid (BM25 + dense, fused) with a real embedding model: see docs/EVALUATION.md. */
  retriever: 'hybrid' | 'lexical' | 'dense';
  /** How many passages each question retrieves (the reference used 4). */
  k: number;
  server: { port: number; host: string; dataDir: string; maxUploadBytes: number; sessionTtlMs: number };
  /** PostgreSQL instead of the SQLite file when `url` is set, so several instances can share one database. */
  database: DatabaseConfig;
  /** Sent as `X-Docchat-Instance` on every response, to see which instance behind a balancer answered. */
  instanceId: string;
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
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

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
  const remote = values.OPENAI_API_KEY !== undefined || values.OPENAI_BASE_URL !== undefined;
  const openai: Config['openai'] = {};
  if (values.OPENAI_API_KEY !== undefined) openai.apiKey = values.OPENAI_API_KEY;
  if (values.OPENAI_BASE_URL !== undefined) openai.baseURL = values.OPENAI_BASE_URL;
  const chatProvider = values.DOCCHAT_CHAT ?? (remote ? 'openai' : 'extractive');
  const embedderProvider =
    values.DOCCHAT_EMBEDDER ?? (values.OPENAI_API_KEY !== undefined ? 'openai' : 'local');
  if ((chatProvider === 'openai' || embedderProvider === 'openai') && !remote) {
    throw new DocchatError(
      'invalid_request',
      'The OpenAI provider needs OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL (for a compatible server).',
      { details: { variable: 'OPENAI_API_KEY' } },
    );
  }
  return {
    openai,
    chat: { provider: chatProvider, model: values.DOCCHAT_CHAT_MODEL ?? 'gpt-4o-mini' },
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
    database: {
      ...(values.DOCCHAT_DATABASE_URL === undefined ? {} : { url: values.DOCCHAT_DATABASE_URL }),
      poolSize: values.DOCCHAT_DATABASE_POOL_SIZE,
      connectTimeoutMs: values.DOCCHAT_DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: values.DOCCHAT_DATABASE_STATEMENT_TIMEOUT_MS,
      retryAfterSeconds: values.DOCCHAT_DATABASE_RETRY_AFTER_SECONDS,
    },
    instanceId: values.DOCCHAT_INSTANCE_ID ?? `${hostname()}:${process.pid}`,
  };
}
