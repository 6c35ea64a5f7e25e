import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLimiter, mapWithConcurrency } from './concurrency.ts';
import { DocchatError } from './errors.ts';
import { sleep } from './retry.ts';

describe('mapWithConcurrency', () => {
  it('keeps input order and never exceeds the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (delays, limit) => {
          let inFlight = 0;
          let peak = 0;
          const results = await mapWithConcurrency(delays, limit, async (delay, index) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            await sleep(delay);
            inFlight--;
            return index * 10;
          });
          expect(results).toEqual(delays.map((_, index) => index * 10));
          expect(peak).toBeLessThanOrEqual(limit);
          if (delays.length >= limit) expect(peak).toBe(limit);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rejects on the first failure, aborts the calls in flight and starts no more', async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const failure = new DocchatError('upstream_error', 'down');
    const pending = mapWithConcurrency(
      Array.from({ length: 10 }, (_, i) => i),
      3,
      async (item, _index, signal) => {
        started.push(item);
        if (item === 1) throw failure;
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        aborted.push(item);
      },
    );
    await expect(pending).rejects.toBe(failure);
    await sleep(5);
    expect(started).toEqual([0, 1, 2]);
    expect(aborted.sort()).toEqual([0, 2]);
  });

  it('rejects promptly with aborted when the caller aborts', async () => {
    const controller = new AbortController();
    let sawAbort = false;
    const pending = mapWithConcurrency(
      [1, 2],
      2,
      (_item, _index, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          });
          if (_item === 2) controller.abort();
        }),
      { signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(sawAbort).toBe(true);
  });

  it('handles empty input and rejects a bad limit', async () => {
    await expect(mapWithConcurrency([], 2, async () => 1)).resolves.toEqual([]);
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toBeInstanceOf(DocchatError);
  });
});

describe('createLimiter', () => {
  it('never runs more than its concurrency at once, runs everything in order, and passes failures on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        async (jobs, concurrency) => {
          const limiter = createLimiter(concurrency);
          let inFlight = 0;
          let peak = 0;
          const started: number[] = [];
          const outcomes = await Promise.allSettled(
            jobs.map(([delay, fails], index) =>
              limiter.run(async () => {
                started.push(index);
                inFlight++;
                peak = Math.max(peak, inFlight);
                await sleep(delay);
                inFlight--;
                if (fails) throw new Error(`job ${index}`);
                return index;
              }),
            ),
          );
          expect(peak).toBeLessThanOrEqual(concurrency);
          expect(started).toEqual(jobs.map((_, index) => index));
          outcomes.forEach((outcome, index) => {
            if (jobs[index]?.[1]) expect(outcome).toMatchObject({ status: 'rejected' });
            else expect(outcome).toEqual({ status: 'fulfilled', value: index });
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});
