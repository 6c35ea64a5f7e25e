import { DocchatError, type ErrorCode, throwIfAborted } from './errors.ts';

/** The codes worth another attempt when an error does not say itself (`details.retryable`). */
export const retryableCodes: ReadonlySet<ErrorCode> = new Set([
  'rate_limited',
  'upstream_error',
  'upstream_timeout',
]);

/** What {@link RetryOptions.onRetry} is told before each wait. */
export interface RetryEvent {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  /** How long the policy waits before the next attempt. */
  delayMs: number;
  error: unknown;
}

/** How {@link withRetry} retries. */
export interface RetryOptions {
  /** Attempts after the first; 0 means try once. */
  retries: number;
  /** Wait before the first retry; each later one doubles it (then jitter). Default 500. */
  baseDelayMs?: number;
  /** Longest wait. A `retryAfterMs` hint above it ends the retries instead (the caller would wait too long). Default 20,000. */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Default: {@link isRetryableError}. */
  isRetryable?: (error: unknown) => boolean;
  onRetry?: (event: RetryEvent) => void;
}

/**
 * The default retry decision: a `DocchatError` whose `details.retryable` is `true` (provider errors always say:
 * connection failures, 408, 409, 429 and 500/502/503/504), or, when it does not say, whose code is in
 * {@link retryableCodes}.
 */
export function isRetryableError(error: unknown): boolean {
  if (!(error instanceof DocchatError)) return false;
  const retryable = error.details.retryable;
  return typeof retryable === 'boolean' ? retryable : retryableCodes.has(error.code);
}

/**
 * Runs `fn`, retrying failures the policy deems transient with exponential backoff and jitter.
 * A `details.retryAfterMs` hint on a `DocchatError` (from a 429's `retry-after`) replaces the computed wait.
 * Stops at once with `aborted` when the signal fires, also during a wait. The last error is rethrown as is.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { retries, baseDelayMs = 500, maxDelayMs = 20_000, signal } = options;
  const isRetryable = options.isRetryable ?? isRetryableError;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await fn(attempt);
    } catch (error) {
      throwIfAborted(signal);
      if (attempt > retries || !isRetryable(error)) throw error;
      const hint = retryAfterHint(error);
      if (hint !== undefined && hint > maxDelayMs) throw error;
      const delayMs = hint ?? backoffDelay(attempt, baseDelayMs, maxDelayMs);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

/** Equal jitter: half the exponential delay is fixed, half random, so retries spread out but still back off. */
function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

function retryAfterHint(error: unknown): number | undefined {
  if (!(error instanceof DocchatError)) return undefined;
  const hint = error.details.retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint >= 0 ? hint : undefined;
}

/** Waits `ms`, rejecting with `aborted` as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DocchatError('aborted', 'The request was cancelled.', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DocchatError('aborted', 'The request was cancelled.', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
