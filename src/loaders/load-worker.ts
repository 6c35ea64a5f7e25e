import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { loadDocument } from './load-document.ts';
import { type LoadReply, type LoadRequest, serializeError } from './load-worker-messages.ts';

/**
 * Entry of the worker threads of `createLoaderPool`: parses one file at a time with {@link loadDocument} and
 * posts its progress and result (or error) back. Aborts terminate the whole worker, so no signal is needed here.
 */
if (!parentPort) throw new Error('load-worker.ts runs only as a worker thread (see create-loader-pool.ts).');
const port = parentPort;

function reply(message: LoadReply): void {
  port.postMessage(message);
}

/** What this thread's heap holds now; the pool replaces a worker whose heap stays large after a file. */
const heapBytes = () => getHeapStatistics().total_heap_size;

port.on('message', async (request: LoadRequest) => {
  try {
    const document = await loadDocument(request.input, {
      password: request.password,
      ...(request.limits === undefined ? {} : { limits: request.limits }),
      onProgress: (done, total) => reply({ type: 'progress', done, total }),
    });
    reply({ type: 'done', document, heapBytes: heapBytes() });
  } catch (error) {
    const failure = serializeError(error);
    try {
      reply({ type: 'error', error: failure, heapBytes: heapBytes() });
    } catch {
      // Details that cannot be cloned must not turn a clear error into a crash.
      reply({ type: 'error', error: { ...failure, details: {} }, heapBytes: heapBytes() });
    }
  }
});
