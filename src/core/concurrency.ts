import { DocchatError, throwIfAborted } from './errors.ts';

/**
 * Maps `items` through `fn` with at most `concurrency` calls in flight; results keep input order.
 * The first failure (or the caller's abort) rejects at once, starts nothing new and aborts the signal
 * handed to the calls still in flight, so they can stop their requests.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  options: { signal?: AbortSignal } = {},
): Promise<R[]> {
  const { signal } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DocchatError('internal', `Concurrency must be a positive integer, got ${concurrency}.`);
  }
  throwIfAborted(signal);
  const controller = new AbortController();
  const results = new Array<R>(items.length);
  let next = 0;
  let finished = false;

  return new Promise<R[]>((resolve, reject) => {
    const fail = (error: unknown) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      controller.abort(error);
      reject(error);
    };
    const onAbort = () =>
      fail(new DocchatError('aborted', 'The request was cancelled.', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });

    const worker = async (): Promise<void> => {
      while (!finished && next < items.length) {
        const index = next++;
        results[index] = await fn(items[index] as T, index, controller.signal);
      }
    };
    const workers = Array.from({ length: Math.min(concurrency, items.length) }, () => worker().catch(fail));
    Promise.all(workers).then(() => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(results);
    });
  });
}

/** Runs work handed to it with at most `concurrency` at once; the rest waits its turn in order. */
export interface Limiter {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** A {@link Limiter} of `concurrency` (a positive integer). */
export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DocchatError('internal', `Concurrency must be a positive integer, got ${concurrency}.`);
  }
  const waiting: (() => void)[] = [];
  let running = 0;
  return {
    async run(work) {
      if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      else running++;
      try {
        return await work();
      } finally {
        // The slot passes straight to the next in line, so a newcomer cannot take it in between.
        const next = waiting.shift();
        if (next === undefined) running--;
        else next();
      }
    },
  };
}
