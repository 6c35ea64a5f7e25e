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

/**
 * Maps anything an OpenAI SDK call threw to a {@link DocchatError}: 401/403 `auth_failed`, 404 `model_not_found`,
 * 400 refusals `request_refused` (other 400s `upstream_error`), 429 `rate_limited` (with `details.retryAfterMs`),
 * 5xx and network failures `upstream_error`, timeouts `upstream_timeout`, the caller's abort `aborted`.
 * Messages never contain the API key.
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext = {}): DocchatError {
  if (error instanceof DocchatError) return error;
  if (context.signal?.aborted || error instanceof APIUserAbortError || isAbortError(error)) {
    return new DocchatError('aborted', 'The request was cancelled.', { cause: error });
  }
  const server = describeServer(context.baseURL);
  if (error instanceof APIConnectionTimeoutError) {
    return new DocchatError('upstream_timeout', `${server} did not answer in time. Try again later.`, {
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    return new DocchatError(
      'upstream_error',
      `Could not connect to ${server}. Check your network${context.baseURL ? ' and that the server is running' : ''}.`,
      { cause: error },
    );
  }
  if (error instanceof APIError) return mapStatusError(error, server, context);
  if (error instanceof OpenAIError || error instanceof SyntaxError) {
    return new DocchatError('upstream_error', `${server} sent a response that could not be read.`, {
      cause: error,
    });
  }
  if (isConnectionFailure(error)) {
    return new DocchatError('upstream_error', `The connection to ${server} was lost. Try again.`, {
      cause: error,
    });
  }
  return new DocchatError('internal', 'Something went wrong on our side.', { cause: error });
}

function mapStatusError(error: APIError, server: string, context: OpenAIErrorContext): DocchatError {
  const status = error.status;
  const code = typeof error.code === 'string' ? error.code : undefined;
  const providerMessage = scrub(messageOf(error), context.apiKey);
  const details: Record<string, unknown> = { status: status ?? null, providerCode: code ?? null };
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
  if (status === 404) {
    if (code === 'model_not_found' || /model/i.test(providerMessage)) {
      return new DocchatError(
        'model_not_found',
        `The ${model} model was not found on ${server}. Check the model name${context.baseURL ? ' (for Ollama, `ollama pull` it first)' : ''}.`,
        { ...options, details: { ...details, model: context.model ?? null } },
      );
    }
    return new DocchatError(
      'upstream_error',
      `${server} has no such endpoint (HTTP 404). Check the base URL; it usually ends in /v1.`,
      options,
    );
  }
  if (status === 400 || status === 422) {
    if ((code !== undefined && refusalCodes.has(code)) || refusalPattern.test(providerMessage)) {
      return new DocchatError(
        'request_refused',
        `${server} refused the request under its content policy. Rephrase the question and try again.`,
        options,
      );
    }
    return new DocchatError('upstream_error', `${server} rejected the request: ${providerMessage}`, options);
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
  if (status !== undefined && status >= 500) {
    return new DocchatError(
      'upstream_error',
      `${server} failed (HTTP ${status}): ${providerMessage} Try again later.`,
      options,
    );
  }
  // No status: an error event inside an otherwise successful stream.
  return new DocchatError(
    'upstream_error',
    `${server} reported an error${status ? ` (HTTP ${status})` : ''}: ${providerMessage}`,
    options,
  );
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
