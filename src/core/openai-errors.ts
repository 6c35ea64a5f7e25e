import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai/error';
import { DocchatError, isAbortError } from './errors.ts';

/** What the mapping may mention (or must hide) when it describes a failed OpenAI-compatible call. */
export interface OpenAIErrorContext {
  /** The model the call used, named in `model_not_found` messages. */
  model?: string;
  /** The server's base URL; omitted or the default means OpenAI itself. */
  baseURL?: string;
  /** The key in use, so it can be scrubbed from any provider message that echoes it. */
  apiKey?: string;
  /** The caller's signal: once it has fired, any failure is `aborted`. */
  signal?: AbortSignal;
}

const refusalCodes = new Set(['content_filter', 'content_policy_violation', 'invalid_prompt']);
const refusalPattern =
  /content (management )?polic|content.?filter|safety system|flagged as potentially violating/i;

/** Provider messages that mean the prompt and answer do not fit the model's window (OpenAI, llama.cpp, vLLM, Ollama). */
const overflowPattern =
  /context_length_exceeded|exceed_context_size|exceeds? the (available )?context (size|length)|maximum context length|longer than the maximum model length|context window/i;

/** HTTP statuses worth another attempt: the same request may well succeed a moment later. */
const retryableStatuses = new Set([408, 409, 429, 500, 502, 503, 504]);

/**
 * Maps anything an OpenAI SDK call threw to a {@link DocchatError}, with `details.retryable` always set: true only
 * for connection failures and HTTP 408, 409, 429 (not an exhausted quota) and 500/502/503/504.
 * 401/403 `auth_failed`, 404 for a model `model_not_found`, a prompt over the window `context_overflow`,
 * refusals `request_refused`, 429 `rate_limited` (with `details.retryAfterMs`), 408/504 and client timeouts
 * `upstream_timeout`, the caller's abort `aborted`, everything else `upstream_error`. Errors inside a stream
 * (llama.cpp's, vLLM's and Ollama's forms, normalized by the client) carry their status as a numeric `code`.
 * `details` names `status`, `host` and `model` for the logs; messages never contain the API key.
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext = {}): DocchatError {
  if (error instanceof DocchatError) return error;
  if (context.signal?.aborted || error instanceof APIUserAbortError || isAbortError(error)) {
    return new DocchatError('aborted', 'The request was cancelled.', { cause: error });
  }
  const server = describeServer(context.baseURL);
  const where = { host: hostOf(context.baseURL), model: context.model ?? null };
  const transient = { cause: error, details: { ...where, status: null, retryable: true } };
  if (error instanceof APIConnectionTimeoutError) {
    return new DocchatError('upstream_timeout', `${server} did not answer in time.`, transient);
  }
  if (error instanceof APIConnectionError) {
    return new DocchatError(
      'upstream_error',
      `Could not connect to ${server}. Check your network${context.baseURL ? ' and that the server is running' : ''}.`,
      transient,
    );
  }
  if (error instanceof APIError) return mapStatusError(error, server, context, where);
  if (error instanceof OpenAIError || error instanceof SyntaxError) {
    return new DocchatError('upstream_error', `${server} sent a response that could not be read.`, {
      cause: error,
      details: { ...where, status: null, retryable: false },
    });
  }
  if (isConnectionFailure(error)) {
    return new DocchatError('upstream_error', `The connection to ${server} was lost.`, transient);
  }
  return new DocchatError('internal', 'Something went wrong on our side.', { cause: error });
}

function mapStatusError(
  error: APIError,
  server: string,
  context: OpenAIErrorContext,
  where: { host: string | null; model: string | null },
): DocchatError {
  // An error event inside a stream has no HTTP status; llama.cpp and vLLM put it in a numeric `code`.
  const status = error.status ?? (typeof error.code === 'number' ? error.code : undefined);
  const code = typeof error.code === 'string' ? error.code : undefined;
  const type = typeof error.type === 'string' ? error.type : undefined;
  const providerMessage = scrub(messageOf(error), context.apiKey);
  // OpenAI's own error event inside a stream (`server_error`) is as transient as a 500.
  const retryable = status === undefined ? type === 'server_error' : retryableStatuses.has(status);
  const details: Record<string, unknown> = {
    ...where,
    status: status ?? null,
    providerCode: code ?? type ?? null,
    retryable,
  };
  const options = { cause: error, details };
  const model = context.model ? `"${context.model}"` : 'requested';

  if (status === 401 || status === 403) {
    // The provider's text can echo part of the key, so it stays out of the message.
    return new DocchatError(
      'auth_failed',
      `The API key was rejected by ${server} (HTTP ${status}). Check the key, or set OPENAI_API_KEY to a valid one.`,
      options,
    );
  }
  if (
    code === 'context_length_exceeded' ||
    type === 'exceed_context_size_error' ||
    ((status === undefined || status === 400 || status === 413 || status === 422) &&
      overflowPattern.test(providerMessage))
  ) {
    const window = numberField(error.error, 'n_ctx');
    return new DocchatError(
      'context_overflow',
      `The prompt and the answer do not fit the model's context window${window ? ` (${window} tokens)` : ''} at ${server}: ${providerMessage} ` +
        'Set DOCCHAT_CONTEXT_WINDOW to the window the server really has (llama.cpp: --ctx-size; Ollama: num_ctx), or lower DOCCHAT_MAX_ANSWER_TOKENS or DOCCHAT_K.',
      { ...options, details: { ...details, retryable: false, contextWindow: window ?? null } },
    );
  }
  if (status === 404) {
    if (code === 'model_not_found' || /model/i.test(providerMessage)) {
      return new DocchatError(
        'model_not_found',
        `The ${model} model was not found on ${server}. Check the model name${context.baseURL ? ' (for Ollama, `ollama pull` it first)' : ''}.`,
        options,
      );
    }
    return new DocchatError(
      'upstream_error',
      `${server} has no such endpoint (HTTP 404). Check the base URL; it usually ends in /v1.`,
      options,
    );
  }
  if (status === 400 || status === 422 || status === undefined) {
    if ((code !== undefined && refusalCodes.has(code)) || refusalPattern.test(providerMessage)) {
      return new DocchatError(
        'request_refused',
        `${server} refused the request under its content policy. Rephrase the question.`,
        options,
      );
    }
  }
  if (status === 429) {
    if (code === 'insufficient_quota') {
      return new DocchatError(
        'rate_limited',
        `${server} reports that the account's quota is used up. Check your plan and billing details.`,
        { ...options, details: { ...details, retryable: false } },
      );
    }
    const retryAfterMs = retryAfterFromHeaders(error.headers);
    return new DocchatError(
      'rate_limited',
      `${server} is rate-limiting requests. Wait a moment and try again.`,
      { ...options, details: retryAfterMs === undefined ? details : { ...details, retryAfterMs } },
    );
  }
  if (status === 408 || status === 504) {
    return new DocchatError(
      'upstream_timeout',
      `${server} did not answer in time. Try again later.`,
      options,
    );
  }
  if (status === 501) {
    return new DocchatError(
      'upstream_error',
      `${server} does not support this request (HTTP 501): ${providerMessage} Check that it serves this endpoint (llama.cpp serves embeddings only with --embeddings).`,
      options,
    );
  }
  if (retryable) {
    return new DocchatError(
      'upstream_error',
      `${server} failed (HTTP ${status}): ${providerMessage} Try again in a moment.`,
      options,
    );
  }
  if (status === undefined) {
    return new DocchatError('upstream_error', `${server} reported an error: ${providerMessage}`, options);
  }
  return new DocchatError(
    'upstream_error',
    `${server} rejected the request (HTTP ${status}): ${providerMessage}`,
    options,
  );
}

function numberField(body: unknown, field: string): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The host of a base URL for logs (`api.openai.com` when none is given), or `null` when unreadable. */
export function hostOf(baseURL: string | undefined): string | null {
  if (!baseURL) return 'api.openai.com';
  try {
    return new URL(baseURL).host;
  } catch {
    return null;
  }
}

/** Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date) into milliseconds. */
export function retryAfterFromHeaders(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeServer(baseURL: string | undefined): string {
  if (!baseURL) return 'OpenAI';
  try {
    const url = new URL(baseURL);
    return url.hostname === 'api.openai.com' ? 'OpenAI' : `the model server at ${url.origin}`;
  } catch {
    return 'the model server';
  }
}

function messageOf(error: APIError): string {
  const body = error.error;
  const message =
    typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
      ? body.message
      : error.message;
  return message.trim() || 'no details given.';
}

function scrub(message: string, apiKey: string | undefined): string {
  let text = message.replace(/\b(sk|key)-[A-Za-z0-9_*-]{3,}/g, '[redacted]');
  if (apiKey && apiKey.length >= 4) text = text.split(apiKey).join('[redacted]');
  return text;
}

function isConnectionFailure(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /terminated|fetch failed|socket|network|other side closed|ECONNRESET/i.test(error.message)
  );
}

/** One structured log line's fields for a failed provider call: never prompt text or keys. */
export function providerFailureFields(
  role: 'chat' | 'embeddings',
  error: DocchatError,
): Record<string, string | number | boolean | null> {
  const { status, host, model, retryable } = error.details;
  return {
    role,
    code: error.code,
    status: typeof status === 'number' ? status : null,
    host: typeof host === 'string' ? host : null,
    model: typeof model === 'string' ? model : null,
    retryable: retryable === true,
  };
}
