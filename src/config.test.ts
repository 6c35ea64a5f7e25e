import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DocchatError } from './core/errors.ts';

describe('loadConfig', () => {
  it('defaults to fully offline parts', () => {
    const config = loadConfig({});
    expect(config.chat.provider).toBe('extractive');
    expect(config.embedder.provider).toBe('local');
    expect(config.retriever).toBe('lexical');
    expect(config.k).toBe(4);
    expect(config.server).toMatchObject({ port: 7860, maxUploadBytes: 2_000_000, sessionTtlMs: 86_400_000 });
  });

  it('reads OCR settings, on by default', () => {
    expect(loadConfig({}).ocr).toEqual({ enabled: true, maxPages: 50, timeoutMs: 900_000 });
    expect(
      loadConfig({ DOCCHAT_OCR: 'off', DOCCHAT_OCR_MAX_PAGES: '5', DOCCHAT_OCR_TIMEOUT_MS: '60000' }).ocr,
    ).toEqual({ enabled: false, maxPages: 5, timeoutMs: 60_000 });
    expect(() => loadConfig({ DOCCHAT_OCR: 'maybe' })).toThrow(/DOCCHAT_OCR/);
    expect(() => loadConfig({ DOCCHAT_OCR_MAX_PAGES: '0' })).toThrow(/DOCCHAT_OCR_MAX_PAGES/);
  });

  it('switches to OpenAI with a key, and to a compatible server with only a base URL', () => {
    const withKey = loadConfig({ OPENAI_API_KEY: 'sk-test' });
    expect(withKey.chat).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(withKey.embedder).toEqual({ provider: 'openai', model: 'text-embedding-3-small' });
    expect(withKey.retriever).toBe('hybrid');
    const ollama = loadConfig({
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      DOCCHAT_CHAT_MODEL: 'llama3.2',
    });
    expect(ollama.chat).toEqual({ provider: 'openai', model: 'llama3.2' });
    expect(ollama.embedder.provider).toBe('local');
  });

  it('gives chat and embeddings their own endpoints and keys, falling back to the OPENAI_* ones', () => {
    const split = loadConfig({
      OPENAI_API_KEY: 'sk-shared',
      DOCCHAT_CHAT_BASE_URL: 'http://127.0.0.1:8080/v1',
      DOCCHAT_EMBEDDING_BASE_URL: 'http://127.0.0.1:8081/v1',
      DOCCHAT_EMBEDDING_API_KEY: 'sk-embed',
    });
    expect(split.provider.chat).toEqual({ apiKey: 'sk-shared', baseURL: 'http://127.0.0.1:8080/v1' });
    expect(split.provider.embeddings).toEqual({ apiKey: 'sk-embed', baseURL: 'http://127.0.0.1:8081/v1' });
    expect(split.chat).toEqual({ provider: 'openai', model: undefined });
    expect(split.embedder.provider).toBe('openai');
    const embeddingsOnly = loadConfig({ DOCCHAT_EMBEDDING_BASE_URL: 'http://127.0.0.1:8081/v1' });
    expect(embeddingsOnly.chat.provider).toBe('extractive');
    expect(embeddingsOnly.embedder.provider).toBe('openai');
  });

  it('reads the budget, timeout and batch settings, with defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.provider).toMatchObject({
      maxAnswerTokens: 1024,
      firstTokenTimeoutMs: 120_000,
      streamIdleTimeoutMs: 30_000,
      embeddingLimits: {},
    });
    expect(defaults.provider.contextWindow).toBeUndefined();
    expect(defaults.prompts).toBe('cited');
    const set = loadConfig({
      DOCCHAT_CONTEXT_WINDOW: '1024',
      DOCCHAT_MAX_ANSWER_TOKENS: '200',
      DOCCHAT_EMBEDDING_MAX_INPUTS: '8',
      DOCCHAT_EMBEDDING_CONCURRENCY: '2',
      DOCCHAT_PROMPTS: 'reference',
    });
    expect(set.provider).toMatchObject({ contextWindow: 1024, maxAnswerTokens: 200 });
    expect(set.provider.embeddingLimits).toEqual({ maxInputs: 8, concurrency: 2 });
    expect(set.prompts).toBe('reference');
    expect(() => loadConfig({ DOCCHAT_CONTEXT_WINDOW: '12' })).toThrow(/DOCCHAT_CONTEXT_WINDOW/);
  });

  it('reads the storage settings: the SQLite WAL limit and how often a streaming answer is saved', () => {
    const defaults = loadConfig({});
    expect(defaults.database.sqliteWalLimitBytes).toBe(16 * 1024 * 1024);
    expect(defaults.server.answerSaveIntervalMs).toBe(1000);
    const set = loadConfig({ DOCCHAT_SQLITE_WAL_LIMIT_MB: '4', DOCCHAT_ANSWER_SAVE_INTERVAL_MS: '250' });
    expect(set.database.sqliteWalLimitBytes).toBe(4 * 1024 * 1024);
    expect(set.server.answerSaveIntervalMs).toBe(250);
    expect(() => loadConfig({ DOCCHAT_ANSWER_SAVE_INTERVAL_MS: '10' })).toThrow(
      /DOCCHAT_ANSWER_SAVE_INTERVAL_MS/,
    );
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ OPENAI_API_KEY: '  ', PORT: '' }).chat.provider).toBe('extractive');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DOCCHAT_RETRIEVER: 'magic' })).toThrow(DocchatError);
    expect(() => loadConfig({ DOCCHAT_CHAT: 'openai' })).toThrow(/OPENAI_API_KEY/);
  });

  it('runs GGUF model files in-process with DOCCHAT_CHAT=gguf and DOCCHAT_EMBEDDER=gguf', () => {
    const config = loadConfig({
      DOCCHAT_CHAT: 'gguf',
      DOCCHAT_CHAT_MODEL_PATH: '/models/qwen2.5-1.5b-instruct-q4_k_m.gguf',
      DOCCHAT_EMBEDDER: 'gguf',
      DOCCHAT_EMBEDDING_MODEL_PATH: '/models/bge-small-en-v1.5-q8_0.gguf',
      DOCCHAT_GGUF_CONTEXT: '1024',
      DOCCHAT_GGUF_THREADS: '2',
    });
    expect(config.chat.provider).toBe('gguf');
    expect(config.embedder.provider).toBe('gguf');
    expect(config.retriever).toBe('hybrid');
    expect(config.gguf).toEqual({
      chatModelPath: '/models/qwen2.5-1.5b-instruct-q4_k_m.gguf',
      embeddingModelPath: '/models/bge-small-en-v1.5-q8_0.gguf',
      contextSize: 1024,
      threads: 2,
    });
    expect(loadConfig({}).gguf).toEqual({ contextSize: 4096 });
  });

  it('names the missing model path of a gguf provider', () => {
    expect(() => loadConfig({ DOCCHAT_CHAT: 'gguf' })).toThrow(
      expect.objectContaining({
        code: 'invalid_request',
        message: expect.stringContaining('DOCCHAT_CHAT_MODEL_PATH'),
      }),
    );
    expect(() => loadConfig({ DOCCHAT_EMBEDDER: 'gguf' })).toThrow(/DOCCHAT_EMBEDDING_MODEL_PATH/);
  });
});
