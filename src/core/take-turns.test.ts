import { describe, expect, it } from 'vitest';
import { nextTurn } from './take-turns.ts';

/** A task of `slices` slices that records `name` as each slice runs, taking turns between them. */
async function slicedTask(name: string, slices: number, log: string[]): Promise<void> {
  for (let slice = 0; slice < slices; slice++) {
    if (slice > 0) await nextTurn();
    log.push(name);
  }
}

describe('nextTurn', () => {
  it('runs one slice of all tasks in flight per turn, in the order they asked', async () => {
    const log: string[] = [];
    await Promise.all([slicedTask('a', 3, log), slicedTask('b', 3, log), slicedTask('c', 2, log)]);
    expect(log).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b']);
  });

  it('lets callbacks queued by the event loop run between two slices, however many tasks are in flight', async () => {
    const log: string[] = [];
    const tasks = Array.from({ length: 20 }, (_, task) => slicedTask(`task ${task}`, 5, log));
    // A callback queued for the next turn, as a request arriving mid-work would be: with every task yielding
    // on its own setImmediate, it would wait behind one slice of each of the 20 tasks.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        log.push('request');
        resolve();
      }),
    );
    await Promise.all(tasks);
    // The first slice of each task ran synchronously; after that, at most one slice went before the request.
    expect(log.indexOf('request')).toBeLessThanOrEqual(20 + 1);
    expect(log.filter((entry) => entry !== 'request')).toHaveLength(100);
  });

  it('starts again after the queue has emptied', async () => {
    const log: string[] = [];
    await slicedTask('first', 2, log);
    await slicedTask('second', 2, log);
    expect(log).toEqual(['first', 'first', 'second', 'second']);
  });
});
