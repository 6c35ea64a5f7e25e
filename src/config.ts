import { z } from 'zod';
import { DocchatError } from './core/errors.ts';
import { defaultOcrSettings, type OcrSettings } from './loaders/ocr-settings.ts';

/** Everything configurable, read once from the environment; see the README's configuration table. */
export interface Config {
  openai: { apiKey?: string; baseURL?: string };
  chat: { provider: 'extractive' | 'openai' | 'gguf'; model: string };
  embedder: { provider: 'local' | 'openai' | 'gguf'; model: string };
  /** llama.cpp in-process (`DOCCHAT_CHAT=gguf`, `DOCCHAT_EMBEDDER=gguf`): model files and their runtime settings. */
  gguf: { chatModelPath?: string; embeddingModelPath?: string; contextSize: number; threads?: number };
  /** Lexical (BM25) offline, hybrid (BM25 + dense, fused) with a real embedding model: see docs/EVALUATION.md. */
  retriever: 'hybrid' | 'lexical' | 'dense';
  /** How many passages each question retrieves (the reference used 4). */
  k: number;
  server: { port: number; host: string; dataDir: string; maxUploadBytes: number; sessionTtlMs: number };
  /** OCR of scanned pages and images (on by default, offline). */
  ocr: OcrSettings;
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

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
    chat: { provider: chatProvider, model: values.DOCCHAT_CHAT_MODEL ?? 'gpt-4o-mini' },
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
    },
    ocr: {
      enabled: values.DOCCHAT_OCR === 'on',
      maxPages: values.DOCCHAT_OCR_MAX_PAGES,
      timeoutMs: values.DOCCHAT_OCR_TIMEOUT_MS,
    },
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
