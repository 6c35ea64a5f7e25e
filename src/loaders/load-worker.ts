import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { createDocumentLoader } from './load-document.ts';
import { type LoadReply, type LoadRequest, serializeError } from './load-worker-messages.ts';

/**
 * Entry of the worker threads of `createLoaderPool`: parses one file at a time with {@link loadDocument} and
 * posts its progress and result (or error) back. Aborts terminate the whole worker, so no signal is needed here.
 */
if (!parentPort) throw new Error('load-worker.ts runs only as a worker thread (see create-loader-pool.ts).');
const port = parentPort;
/** One loader for the worker's life, so its OCR engine (Tesseract's own worker) is started once and reused. */
const loader = createDocumentLoader();

function reply(message: LoadReply): void {
  port.postMessage(message);
}

/** What this thread's heap holds now; the pool replaces a worker whose heap stays large after a file. */
const heapBytes = () => getHeapStatistics().total_heap_size;

port.on('message', async (request: LoadRequest) => {
  try {
    const document = await loader.load(request.input, {
      password: request.password,
      ...(request.ocr === undefined ? {} : { ocr: request.ocr }),
      ...(request.limits === undefined ? {} : { limits: request.limits }),
      onProgress: (done, total, detail) => reply({ type: 'progress', done, total, ...detail }),
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
