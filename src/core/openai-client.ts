import type OpenAI from 'openai';
import { DocchatError } from './errors.ts';
import { normalizeStreamErrors } from './openai-stream-errors.ts';

/** OpenAI's own endpoint, used when no base URL is given. */
export const openAIBaseURL = 'https://api.openai.com/v1';

/** Options shared by the OpenAI-compatible providers for building their SDK client. */
export interface OpenAIClientOptions {
  /** Required for OpenAI itself; optional with `baseURL` (Ollama, vLLM, LM Studio and llama.cpp need none). */
  apiKey?: string;
  /** An OpenAI-compatible server, e.g. `http://localhost:11434/v1`. Default: OpenAI. */
  baseURL?: string;
  /** Longest wait for a response (for a stream: for its headers). Default 120 s. */
  timeoutMs?: number;
}

/**
 * Builds an SDK client with its own retries off (the shared policy retries) and everything passed
 * explicitly, so the SDK reads no OPENAI_* environment variable behind the caller's back.
 * Servers that need no key get a placeholder, since the SDK insists on one. The SDK (a few hundred ms to import)
 * is loaded on the first call of the returned function, so a process that never calls a provider never loads it.
 * Stream errors of llama.cpp, Ollama and vLLM are rewritten to OpenAI's form, so the SDK reports their message.
 */
export function createOpenAIClient(options: OpenAIClientOptions): () => Promise<OpenAI> {
  if (!options.apiKey && !options.baseURL) {
    throw new DocchatError(
      'auth_failed',
      'No OpenAI API key was given. Set OPENAI_API_KEY, or point the base URL at an OpenAI-compatible server.',
    );
  }
  let client: Promise<OpenAI> | undefined;
  return () => {
    client ??= import('openai').then(
      ({ OpenAI }) =>
        new OpenAI({
          apiKey: options.apiKey || 'not-needed',
          baseURL: options.baseURL ?? openAIBaseURL,
          organization: null,
          project: null,
          maxRetries: 0,
          timeout: options.timeoutMs ?? 120_000,
          // llama.cpp, Ollama and vLLM report errors inside a stream in forms of their own.
          fetch: normalizeStreamErrors(),
        }),
    );
    return client;
  };
}

/** `client` as {@link createOpenAIClient} returns it, or a new client from `options` when none is given. */
export function openAIClientOf(
  client: OpenAI | undefined,
  options: OpenAIClientOptions,
): () => Promise<OpenAI> {
  return client ? () => Promise.resolve(client) : createOpenAIClient(options);
}
