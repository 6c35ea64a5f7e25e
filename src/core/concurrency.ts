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
