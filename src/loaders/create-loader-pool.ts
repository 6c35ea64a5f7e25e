import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DocchatError } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { deserializeError, type LoadReply, type LoadRequest } from './load-worker-messages.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import type { OcrSettings } from './ocr-settings.ts';

/** Options of {@link createLoaderPool}. */
export interface LoaderPoolOptions {
  /** Most worker threads parsing at once. Default: one less than the CPUs, between 1 and 2. */
  size?: number;
  /** OCR settings for loads that give none (`LoadOptions.ocr` wins); `defaultOcrSettings` if absent. */
  ocr?: OcrSettings;
}

/** A {@link Loader} that parses in worker threads, so the caller's event loop stays free while a PDF is read. */
export interface LoaderPool extends Loader {
  /** Terminates the workers; loads still queued or running reject with `aborted`, later ones with `internal`. */
  close(): Promise<void>;
}

interface Job {
  request: LoadRequest;
  transfer: ArrayBuffer[];
  options: LoadOptions;
  resolve: (document: LoadedDocument) => void;
  reject: (error: unknown) => void;
  /** Listens on `options.signal` until the job settles. */
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  /** The uncaught error the worker died of, if any. */
  error: unknown;
}

const workerUrl = new URL('./load-worker.ts', import.meta.url);

/** Leaves a core to the server's event loop; a second worker only where there are cores to spare. */
function defaultSize(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

function cancelled(reason?: unknown): DocchatError {
  return new DocchatError('aborted', 'The request was cancelled.', { cause: reason });
}

/**
 * Runs {@link loadDocument} in a pool of worker threads with the same contract: same documents, same
 * `DocchatError`s, `onProgress` per page, and a `signal` that rejects at once and terminates the worker (a fresh
 * one takes its place). Jobs queue while every worker is busy; a worker that crashes fails its job with
 * `internal` and is replaced. Workers start on first use, and idle ones never keep the process alive.
 */
export function createLoaderPool(options: LoaderPoolOptions = {}): LoaderPool {
  const size = options.size ?? defaultSize();
  if (!Number.isInteger(size) || size < 1) {
    throw new DocchatError('internal', `The loader pool size must be a positive integer, got ${size}.`);
  }
  const slots = new Set<Slot>();
  const queue: Job[] = [];
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerUrl), job: undefined, error: undefined };
    slot.worker.on('message', (reply: LoadReply) => handleReply(slot, reply));
    slot.worker.on('error', (error) => {
      slot.error = error;
    });
    slot.worker.on('exit', (exitCode) => {
      if (!slots.has(slot)) return; // retired on purpose: its job is already settled
      slots.delete(slot);
      const job = slot.job;
      if (job) {
        settle(job);
        job.reject(
          new DocchatError(
            'internal',
            `The document reader stopped unexpectedly while reading ${job.request.input.name}. Try again; ` +
              'if it keeps happening, the file may be too large or malformed.',
            { cause: slot.error, details: { source: job.request.input.name, exitCode } },
          ),
        );
      }
      dispatch();
    });
    slots.add(slot);
    return slot;
  }

  function dispatch(): void {
    while (!closed && queue.length > 0) {
      let slot = [...slots].find((candidate) => !candidate.job);
      if (!slot) {
        if (slots.size >= size) return;
        slot = spawn();
      }
      const job = queue.shift();
      if (!job) return;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request, job.transfer);
    }
  }

  function handleReply(slot: Slot, reply: LoadReply): void {
    const job = slot.job;
    if (!job) return;
    if (reply.type === 'progress') {
      try {
        if (reply.ocr) job.options.onProgress?.(reply.done, reply.total, { ocr: true });
        else job.options.onProgress?.(reply.done, reply.total);
      } catch (error) {
        // As in the caller's thread, a failing progress callback fails the load; the parse is not wanted.
        void retire(slot);
        settle(job);
        job.reject(error);
      }
      return;
    }
    slot.job = undefined;
    slot.worker.unref();
    settle(job);
    if (reply.type === 'done') job.resolve(reply.document);
    else job.reject(deserializeError(reply.error));
    dispatch();
  }

  /** Terminates a worker whose job is no longer wanted; the next dispatch spawns its replacement. */
  function retire(slot: Slot): Promise<void> {
    slots.delete(slot);
    slot.job = undefined;
    const exited = slot.worker.terminate().then(() => undefined);
    dispatch();
    return exited;
  }

  function settle(job: Job): void {
    if (job.onAbort) job.options.signal?.removeEventListener('abort', job.onAbort);
  }

  return {
    load(input: LoadInput, loadOptions: LoadOptions = {}): Promise<LoadedDocument> {
      const { signal } = loadOptions;
      const ocr = loadOptions.ocr ?? options.ocr;
      if (closed) {
        return Promise.reject(
          new DocchatError('internal', 'The document loader pool is closed; no more files can be read.'),
        );
      }
      if (signal?.aborted) return Promise.reject(cancelled(signal.reason));
      // A copy, so the transfer detaches only our buffer, never the caller's (or a pooled Node Buffer's).
      const data = new Uint8Array(input.data);
      const request: LoadRequest = {
        input: {
          name: input.name,
          data,
          ...(input.mimeType === undefined ? {} : { mimeType: input.mimeType }),
        },
        ...(loadOptions.password === undefined ? {} : { password: loadOptions.password }),
        ...(ocr === undefined ? {} : { ocr }),
      };
      return new Promise<LoadedDocument>((resolve, reject) => {
        const job: Job = { request, transfer: [data.buffer], options: loadOptions, resolve, reject };
        if (signal) {
          job.onAbort = () => {
            settle(job);
            const queued = queue.indexOf(job);
            if (queued >= 0) queue.splice(queued, 1);
            const running = [...slots].find((slot) => slot.job === job);
            if (running) void retire(running);
            reject(cancelled(signal.reason));
          };
          signal.addEventListener('abort', job.onAbort, { once: true });
        }
        queue.push(job);
        dispatch();
      });
    },

    async close(): Promise<void> {
      closed = true;
      const jobs = [...queue.splice(0)];
      const exits: Promise<void>[] = [];
      for (const slot of [...slots]) {
        if (slot.job) jobs.push(slot.job);
        exits.push(retire(slot));
      }
      for (const job of jobs) {
        settle(job);
        job.reject(cancelled());
      }
      await Promise.all(exits);
    },
  };
}
