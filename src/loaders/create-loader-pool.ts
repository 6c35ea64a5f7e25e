import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DocchatError } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { documentTooLarge } from './document-limits.ts';
import { deserializeError, type LoadReply, type LoadRequest } from './load-worker-messages.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import type { OcrSettings } from './ocr-settings.ts';

/** Options of {@link createLoaderPool}; the server takes them from `Config.limits`. */
export interface LoaderPoolOptions {
  /** Most worker threads parsing at once. Default: the CPUs, between 1 and 2. */
  size?: number;
  /** OCR settings for loads that give none (`LoadOptions.ocr` wins); `defaultOcrSettings` if absent. */
  ocr?: OcrSettings;
  /** Old-generation heap limit of each worker, in MB (`resourceLimits`); a worker past it fails its file. */
  maxHeapMb?: number;
  /** A worker is replaced after this many files, so fragmentation cannot pile up. Default 50. */
  recycleAfterJobs?: number;
  /** ... or as soon as its heap holds more than this after a file, in MB. Default 192. */
  recycleHeapMb?: number;
  /** Most loads waiting for a worker, over all callers; past it, `queue_full`. Default 100. */
  maxQueued?: number;
  /** Most loads waiting for a worker from one `queueKey`; past it, `quota_exceeded`. Default 4. */
  maxQueuedPerKey?: number;
  /**
   * Most files read and not yet let go of by their callers (`LoadOptions.heldUntil`): a file waits in the queue
   * until one is; one key holds at most `maxHeld - 1` (one when `maxHeld` is 1). No bound by default.
   */
  maxHeld?: number;
}

/** A {@link Loader} that parses in worker threads, so the caller's event loop stays free while a PDF is read. */
export interface LoaderPool extends Loader {
  /** Terminates the workers; loads still queued or running reject with `aborted`, later ones with `internal`. */
  close(): Promise<void>;
}

interface Job {
  key: string;
  request: LoadRequest;
  transfer: ArrayBuffer[];
  options: LoadOptions;
  resolve: (document: LoadedDocument) => void;
  reject: (error: unknown) => void;
  /** Listens on `options.signal` until the job settles. */
  onAbort?: () => void;
  /** Kills the worker when the job runs past its parse timeout. */
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  /** How many files this worker has read. */
  jobs: number;
  /** The uncaught error the worker died of, if any. */
  error: unknown;
}

const workerUrl = new URL('./load-worker.ts', import.meta.url);
const megabyte = 1024 * 1024;
/** The key of loads that name none. */
const anonymous = '';

/** Two workers where there are two cores, so one caller's heavy file leaves the other worker to everyone else. */
function defaultSize(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

function cancelled(reason?: unknown): DocchatError {
  return new DocchatError('aborted', 'The request was cancelled.', { cause: reason });
}

/**
 * Runs {@link loadDocument} in a pool of worker threads with the same contract: same documents, same
 * `DocchatError`s, `onProgress` per page, and a `signal` that rejects at once and terminates the worker (a fresh
 * one takes its place). Jobs wait in one bounded queue per `queueKey` and are dispatched round-robin across keys;
 * one key holds at most `size - 1` workers (one when `size` is 1), so a session's heavy file leaves a worker to
 * the other sessions. A job past `limits.parseTimeoutMs` kills its worker and fails with `document_too_large`;
 * a worker that runs out of heap fails its job the same way; one that crashes fails its job with `internal`.
 * Workers are replaced after `recycleAfterJobs` files or when their heap stays large. Workers start on first
 * use (a retired one's replacement at once), and idle ones never keep the process alive. With `maxHeld`, a
 * file read counts until its caller lets go of it (`LoadOptions.heldUntil`), so parsing stays at most that many
 * files ahead of what the caller does with them.
 */
export function createLoaderPool(options: LoaderPoolOptions = {}): LoaderPool {
  const size = options.size ?? defaultSize();
  if (!Number.isInteger(size) || size < 1) {
    throw new DocchatError('internal', `The loader pool size must be a positive integer, got ${size}.`);
  }
  const recycleAfterJobs = options.recycleAfterJobs ?? 50;
  const recycleHeapBytes = (options.recycleHeapMb ?? 192) * megabyte;
  const maxQueued = options.maxQueued ?? 100;
  const maxQueuedPerKey = options.maxQueuedPerKey ?? 4;
  const maxHeld = options.maxHeld ?? Number.POSITIVE_INFINITY;
  const resourceLimits = options.maxHeapMb === undefined ? {} : { maxOldGenerationSizeMb: options.maxHeapMb };
  const slots = new Set<Slot>();
  /** Waiting jobs per key. */
  const queues = new Map<string, Job[]>();
  /** When each key with work queued or running was last served: the key served longest ago goes next. */
  const lastServed = new Map<string, number>();
  let turn = 0;
  let queued = 0;
  /** Files dispatched and not let go of yet (see `maxHeld`), per key and in all. */
  const heldPerKey = new Map<string, number>();
  let held = 0;
  /** Mean time a job held a worker, for the `Retry-After` of a full queue. */
  let meanJobMs = 1000;
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = {
      worker: new Worker(workerUrl, { resourceLimits }),
      job: undefined,
      jobs: 0,
      error: undefined,
    };
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
        const outOfMemory =
          typeof slot.error === 'object' &&
          slot.error !== null &&
          'code' in slot.error &&
          slot.error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        job.reject(
          outOfMemory && options.maxHeapMb !== undefined
            ? documentTooLarge(job.request.input.name, 'parser_memory', options.maxHeapMb)
            : new DocchatError(
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

  function running(key: string): number {
    let count = 0;
    for (const slot of slots) if (slot.job?.key === key) count++;
    return count;
  }

  /** The next job, round-robin by key, skipping keys that already hold their share of the workers or files. */
  function nextJob(): Job | undefined {
    const share = Math.max(1, size - 1);
    const heldShare = Math.max(1, maxHeld - 1);
    let chosen: string | undefined;
    for (const key of queues.keys()) {
      if (running(key) >= share || (heldPerKey.get(key) ?? 0) >= heldShare) continue;
      if (chosen === undefined || (lastServed.get(key) ?? -1) < (lastServed.get(chosen) ?? -1)) chosen = key;
    }
    if (chosen === undefined) return undefined;
    const jobs = queues.get(chosen) ?? [];
    const job = jobs.shift();
    if (jobs.length === 0) queues.delete(chosen);
    lastServed.set(chosen, turn++);
    if (job) queued--;
    return job;
  }

  /** Forgets when a key was served once it has nothing queued or running. */
  function forgetIdleKey(key: string): void {
    if (!queues.has(key) && running(key) === 0 && !heldPerKey.has(key)) lastServed.delete(key);
  }

  /** Counts `job` as held from its dispatch until it fails, or succeeds and its caller lets go of it. */
  function hold(job: Job): void {
    held++;
    heldPerKey.set(job.key, (heldPerKey.get(job.key) ?? 0) + 1);
    let letGo = false;
    const release = () => {
      if (letGo) return;
      letGo = true;
      held--;
      const count = (heldPerKey.get(job.key) ?? 1) - 1;
      if (count === 0) heldPerKey.delete(job.key);
      else heldPerKey.set(job.key, count);
      forgetIdleKey(job.key);
      dispatch();
    };
    const heldUntil = job.options.heldUntil;
    job.resolve = chain(job.resolve, () => {
      if (heldUntil === undefined) release();
      else void heldUntil.then(release, release);
    });
    job.reject = chain(job.reject, release);
  }

  function dispatch(): void {
    while (!closed && queued > 0 && held < maxHeld) {
      let slot = [...slots].find((candidate) => !candidate.job);
      if (!slot && slots.size >= size) return;
      const job = nextJob();
      if (!job) return;
      slot ??= spawn();
      start(slot, job);
    }
  }

  function start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.jobs++;
    hold(job);
    slot.worker.ref();
    slot.worker.postMessage(job.request, job.transfer);
    const timeoutMs = job.request.limits?.parseTimeoutMs;
    const started = performance.now();
    const finished = () => {
      meanJobMs = 0.8 * meanJobMs + 0.2 * (performance.now() - started);
    };
    job.resolve = chain(job.resolve, finished);
    job.reject = chain(job.reject, finished);
    if (timeoutMs !== undefined) {
      // The worker checks the time between pages; this catches a single step of pdf.js that never returns.
      job.timer = setTimeout(() => {
        if (slot.job !== job) return;
        void retire(slot);
        settle(job);
        job.reject(documentTooLarge(job.request.input.name, 'parse_time', timeoutMs));
      }, timeoutMs);
      job.timer.unref();
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
    // A file refused mid-parse leaves pdf.js's half-read streams behind: a fresh worker is cleaner.
    const refused = reply.type === 'error' && reply.error.code === 'document_too_large';
    if (refused || slot.jobs >= recycleAfterJobs || reply.heapBytes > recycleHeapBytes) void retire(slot);
    if (reply.type === 'done') job.resolve(reply.document);
    else job.reject(deserializeError(reply.error));
    dispatch();
  }

  /**
   * Terminates a worker whose job is no longer wanted (or that has served enough) and starts its replacement at
   * once, so the next file does not wait for a worker to start (~100 ms here).
   */
  function retire(slot: Slot): Promise<void> {
    slots.delete(slot);
    slot.job = undefined;
    const exited = slot.worker.terminate().then(() => undefined);
    if (!closed && slots.size < size) spawn().worker.unref();
    dispatch();
    return exited;
  }

  function settle(job: Job): void {
    if (job.onAbort) job.options.signal?.removeEventListener('abort', job.onAbort);
    clearTimeout(job.timer);
    queueMicrotask(() => forgetIdleKey(job.key));
  }

  function enqueue(job: Job): void {
    const jobs = queues.get(job.key) ?? [];
    const retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil(((queued + 1) * meanJobMs) / size / 1000)));
    if (queued >= maxQueued) {
      throw new DocchatError(
        'queue_full',
        `The server is reading ${queued} other files right now; try ${job.request.input.name} again in a moment.`,
        { details: { retryAfterSeconds, queued } },
      );
    }
    if (jobs.length >= maxQueuedPerKey) {
      throw new DocchatError(
        'quota_exceeded',
        `${jobs.length} of your files are already waiting to be read; wait for them before uploading more.`,
        { details: { retryAfterSeconds, queued: jobs.length, limit: maxQueuedPerKey } },
      );
    }
    jobs.push(job);
    if (!queues.has(job.key)) queues.set(job.key, jobs);
    queued++;
  }

  function dequeue(job: Job): boolean {
    const jobs = queues.get(job.key);
    const position = jobs?.indexOf(job) ?? -1;
    if (!jobs || position < 0) return false;
    jobs.splice(position, 1);
    if (jobs.length === 0) queues.delete(job.key);
    queued--;
    return true;
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
        ...(loadOptions.limits === undefined ? {} : { limits: loadOptions.limits }),
      };
      return new Promise<LoadedDocument>((resolve, reject) => {
        const job: Job = {
          key: loadOptions.queueKey ?? anonymous,
          request,
          transfer: [data.buffer],
          options: loadOptions,
          resolve,
          reject,
        };
        enqueue(job);
        if (signal) {
          job.onAbort = () => {
            settle(job);
            dequeue(job);
            const runningSlot = [...slots].find((slot) => slot.job === job);
            if (runningSlot) void retire(runningSlot);
            job.reject(cancelled(signal.reason));
          };
          signal.addEventListener('abort', job.onAbort, { once: true });
        }
        dispatch();
      });
    },

    async close(): Promise<void> {
      closed = true;
      const jobs = [...queues.values()].flat();
      queues.clear();
      queued = 0;
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

/** `settle` followed by `after`, so a job's end is noted whichever way it ends. */
function chain<T>(settle: (value: T) => void, after: () => void): (value: T) => void {
  return (value) => {
    settle(value);
    after();
  };
}
