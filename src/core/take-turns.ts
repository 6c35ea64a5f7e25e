/**
 * Turns of the event loop for work done in slices (indexing a document, rebuilding an index). Every slice of
 * every task waits in one queue, and one slice runs per turn of the loop, so requests arriving meanwhile wait
 * behind one slice however many tasks are in flight. (Each task yielding with its own `setImmediate` would run a
 * slice of every task in flight before the loop polls again: 60 uploads at once made a health check wait ~800 ms.)
 */
const waiting: (() => void)[] = [];
let scheduled = false;

function runNext(): void {
  const next = waiting.shift();
  if (next === undefined) {
    scheduled = false;
    return;
  }
  // The task's next slice runs in the microtasks right after this callback; the following one waits for the
  // next turn of the loop, after its poll phase.
  next();
  setImmediate(runNext);
}

/** Resolves at the caller's next turn: call it between slices of work on the main thread. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(runNext);
    }
  });
}
