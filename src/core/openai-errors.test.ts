import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { DocchatError } from './errors.ts';
import { mapOpenAIError, retryAfterFromHeaders } from './openai-errors.ts';

/** The error the SDK builds for an HTTP error response with OpenAI's `{ error: {...} }` body. */
function httpError(
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
): APIError {
  return APIError.generate(status, { error }, undefined, new Headers(headers));
}

const context = { model: 'gpt-4o-mini', apiKey: 'sk-secret-123456' };

describe('mapOpenAIError', () => {
  it('maps 401 and 403 to auth_failed without echoing the provider text (which can carry the key)', () => {
    const error = mapOpenAIError(
      httpError(401, {
        message: 'Incorrect API key provided: sk-secr********3456.',
        code: 'invalid_api_key',
      }),
      context,
    );
    expect(error.code).toBe('auth_failed');
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).not.toContain('sk-');
    expect(mapOpenAIError(httpError(403, { message: 'forbidden' }), context).code).toBe('auth_failed');
  });

  it('maps a 404 for a model to model_not_found naming it, and another 404 to a base-URL hint', () => {
    const error = mapOpenAIError(
      httpError(404, { message: 'The model `gpt-9` does not exist', code: 'model_not_found' }),
      { model: 'gpt-9', baseURL: 'http://localhost:11434/v1' },
    );
    expect(error.code).toBe('model_not_found');
    expect(error.message).toContain('"gpt-9"');
    expect(error.message).toContain('http://localhost:11434');
    // Ollama's wording has no code.
    expect(
      mapOpenAIError(httpError(404, { message: 'model "x" not found, try pulling it first' })).code,
    ).toBe('model_not_found');
    const path = mapOpenAIError(httpError(404, { message: '404 page not found' }), { baseURL: 'http://h:1' });
    expect(path.code).toBe('upstream_error');
    expect(path.message).toContain('/v1');
  });

  it('maps content-filter and policy 400s to request_refused, other 400s to upstream_error with the reason', () => {
    expect(mapOpenAIError(httpError(400, { message: 'filtered', code: 'content_filter' })).code).toBe(
      'request_refused',
    );
    expect(mapOpenAIError(httpError(400, { message: 'Invalid prompt', code: 'invalid_prompt' })).code).toBe(
      'request_refused',
    );
    expect(
      mapOpenAIError(httpError(400, { message: "triggering Azure OpenAI's content management policy" })).code,
    ).toBe('request_refused');
    const other = mapOpenAIError(
      httpError(400, {
        message: "This model's maximum context length is 128000 tokens (key sk-secret-123456)",
      }),
      context,
    );
    expect(other.code).toBe('context_overflow');
    expect(other.details.retryable).toBe(false);
    expect(other.message).toContain('maximum context length is 128000 tokens');
    expect(other.message).toContain('DOCCHAT_CONTEXT_WINDOW');
    const plain = mapOpenAIError(httpError(400, { message: 'temperature must be below 2' }), context);
    expect(plain.code).toBe('upstream_error');
    expect(plain.details.retryable).toBe(false);
    expect(plain.message).not.toMatch(/try again/i);
    expect(other.message).not.toContain('sk-secret');
  });

  it('maps 429 to rate_limited with the retry-after hint, and an exhausted quota to a non-retryable one', () => {
    const limited = mapOpenAIError(httpError(429, { code: 'rate_limit_exceeded' }, { 'retry-after': '2' }));
    expect(limited.code).toBe('rate_limited');
    expect(limited.details.retryAfterMs).toBe(2000);
    const quota = mapOpenAIError(httpError(429, { code: 'insufficient_quota', message: 'quota' }));
    expect(quota.code).toBe('rate_limited');
    expect(quota.details.retryable).toBe(false);
    expect(quota.message).toContain('billing');
  });

  it('maps 5xx and connection failures to upstream_error, timeouts to upstream_timeout', () => {
    const server = mapOpenAIError(httpError(500, { message: 'The server had an error' }));
    expect(server.code).toBe('upstream_error');
    expect(server.details.status).toBe(500);
    expect(mapOpenAIError(httpError(504, {})).code).toBe('upstream_timeout');
    expect(mapOpenAIError(new APIConnectionError({ message: 'Connection error.' })).code).toBe(
      'upstream_error',
    );
    expect(mapOpenAIError(new APIConnectionTimeoutError()).code).toBe('upstream_timeout');
    expect(mapOpenAIError(new TypeError('terminated')).code).toBe('upstream_error');
    expect(mapOpenAIError(new SyntaxError('malformed server-sent event JSON')).code).toBe('upstream_error');
  });

  it('marks as retryable only connection failures, 408, 409, 429 and 500/502/503/504', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504])
      expect(mapOpenAIError(httpError(status, { message: 'x' })).details.retryable, String(status)).toBe(
        true,
      );
    for (const status of [400, 404, 413, 422, 501]) {
      const error = mapOpenAIError(httpError(status, { message: 'x' }));
      expect(error.details.retryable, String(status)).toBe(false);
      expect(error.message, String(status)).not.toMatch(/try again/i);
    }
    expect(mapOpenAIError(new APIConnectionError({ message: 'Connection error.' })).details.retryable).toBe(
      true,
    );
  });

  it('maps the caller’s abort to aborted, whatever error it surfaced as', () => {
    expect(mapOpenAIError(new APIUserAbortError()).code).toBe('aborted');
    expect(mapOpenAIError(new DOMException('x', 'AbortError')).code).toBe('aborted');
    expect(mapOpenAIError(new APIConnectionError({}), { signal: AbortSignal.abort() }).code).toBe('aborted');
  });

  it('keeps DocchatErrors and turns unknown failures into internal ones', () => {
    const own = new DocchatError('not_found', 'x');
    expect(mapOpenAIError(own)).toBe(own);
    expect(mapOpenAIError(new RangeError('bug')).code).toBe('internal');
  });
});

describe('retryAfterFromHeaders', () => {
  it('prefers retry-after-ms, reads seconds and HTTP dates, ignores garbage', () => {
    expect(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    const date = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': date }))).toBeGreaterThan(50_000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterFromHeaders(undefined)).toBeUndefined();
  });
});
