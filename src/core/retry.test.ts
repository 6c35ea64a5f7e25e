import { describe, expect, it } from 'vitest';
import { DocchatError } from './errors.ts';
import { isRetryableError, type RetryEvent, sleep, withRetry } from './retry.ts';

const tiny = { baseDelayMs: 1, maxDelayMs: 5 };

/** A function that fails with the given errors in turn, then returns 'ok'. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  it('retries the transient codes and returns the first success', async () => {
    const { fn, calls } = failing(
      new DocchatError('rate_limited', 'slow'),
      new DocchatError('upstream_error', '500'),
      new DocchatError('upstream_timeout', 'late'),
    );
    await expect(withRetry(fn, { retries: 3, ...tiny })).resolves.toBe('ok');
    expect(calls()).toBe(4);
  });

  it('gives up after the configured retries with the last error', async () => {
    const last = new DocchatError('upstream_error', 'still down');
    const { fn, calls } = failing(new DocchatError('upstream_error', 'down'), last, new Error('unused'));
    await expect(withRetry(fn, { retries: 1, ...tiny })).rejects.toBe(last);
    expect(calls()).toBe(2);
  });

  it('does not retry input, auth, refusal or unknown errors, nor errors marked not retryable', async () => {
    for (const error of [
      new DocchatError('auth_failed', 'bad key'),
      new DocchatError('request_refused', 'no'),
      new DocchatError('rate_limited', 'quota', { details: { retryable: false } }),
      new Error('bug'),
    ]) {
      const { fn, calls } = failing(error);
      await expect(withRetry(fn, { retries: 3, ...tiny })).rejects.toBe(error);
      expect(calls()).toBe(1);
    }
    expect(isRetryableError(new DocchatError('upstream_timeout', 'x'))).toBe(true);
  });

  it('backs off exponentially with jitter, within the cap', async () => {
    const events: RetryEvent[] = [];
    const errors = Array.from({ length: 5 }, () => new DocchatError('upstream_error', 'down'));
    const { fn } = failing(...errors);
    await withRetry(fn, {
      retries: 5,
      baseDelayMs: 4,
      maxDelayMs: 20,
      onRetry: (event) => events.push(event),
    });
    expect(events.map((event) => event.attempt)).toEqual([1, 2, 3, 4, 5]);
    const caps = [4, 8, 16, 20, 20];
    events.forEach((event, i) => {
      const cap = caps[i] ?? 0;
      expect(event.delayMs).toBeGreaterThanOrEqual(cap / 2);
      expect(event.delayMs).toBeLessThanOrEqual(cap);
    });
  });

  it('waits what a retryAfterMs hint says, and gives up when the hint exceeds the longest wait', async () => {
    const delays: number[] = [];
    const hinted = new DocchatError('rate_limited', 'slow', { details: { retryAfterMs: 3 } });
    const { fn } = failing(hinted);
    await withRetry(fn, { retries: 2, baseDelayMs: 1000, onRetry: (event) => delays.push(event.delayMs) });
    expect(delays).toEqual([3]);

    const tooLong = new DocchatError('rate_limited', 'slow', { details: { retryAfterMs: 60_000 } });
    const second = failing(tooLong);
    await expect(withRetry(second.fn, { retries: 2, maxDelayMs: 100 })).rejects.toBe(tooLong);
    expect(second.calls()).toBe(1);
  });

  it('honours a custom predicate and passes the attempt number', async () => {
    const attempts: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new DocchatError('stream_interrupted', 'cut');
        return attempt;
      },
      {
        retries: 5,
        ...tiny,
        isRetryable: (error) => error instanceof DocchatError && error.code === 'stream_interrupted',
      },
    );
    expect(result).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('stops with aborted during a wait, and never starts when already aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = withRetry(
      async () => {
        calls++;
        throw new DocchatError('upstream_error', 'down');
      },
      {
        retries: 5,
        baseDelayMs: 60_000,
        maxDelayMs: 60_000,
        signal: controller.signal,
        onRetry: () => controller.abort(),
      },
    );
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(1);

    let started = false;
    await expect(
      withRetry(
        async () => {
          started = true;
        },
        { retries: 1, signal: AbortSignal.abort() },
      ),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(started).toBe(false);
  });

  it('reports aborted, not the failure, when the signal fired during the attempt', async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        controller.abort();
        throw new DocchatError('upstream_error', 'connection reset');
      },
      { retries: 3, ...tiny, signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('sleep', () => {
  it('resolves after the delay and rejects on abort', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });
});
