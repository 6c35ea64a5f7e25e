import { Worker } from 'node:worker_threads';
import { DocchatError } from '../core/errors.ts';
import type { StoreHealth } from './chat-store.ts';
import type { SqliteLimits } from './sqlite-schema.ts';
import {
  deserializeFailure,
  type WriteRequest,
  type WriterData,
  type WriterReply,
} from './sqlite-writer-messages.ts';
import type { WriteArgs, WriteName, WriteResult } from './sqlite-writes.ts';

/** Where the SQLite store's writes run: a thread of their own, or (for `:memory:`) the caller's connection. */
export interface SqliteWriter {
  /** Runs one write after every write asked for before it; `transfer` lists buffers of `args` to move, not copy. */
  run<K extends WriteName>(name: K, args: WriteArgs<K>, transfer?: ArrayBuffer[]): Promise<WriteResult<K>>;
  /** Lets the writes already asked for finish, then closes the connection and ends the thread. */
  close(): Promise<void>;
  /** `storage_unavailable` once {@link writerCrashLimit} threads in a row died before finishing a write. */
  health(): StoreHealth;
}

/**
 * Threads in a row that may die before one finishes a write, before health reports the store unavailable: one
 * death (a write that ran the thread out of memory) is survived by the next thread; three are a fault to report.
 */
export const writerCrashLimit = 3;

const writerUrl = new URL('./sqlite-writer.ts', import.meta.url);

interface PendingWrite {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Starts the writer thread (`sqlite-writer.ts`, its own connection to `path`) and returns its client. Writes
 * run one at a time in the order asked; errors come back as the same `DocchatError`s. A thread that dies fails
 * the writes it held with `storage_unavailable` (never leaving a caller waiting), and the next write starts a
 * fresh one. The thread keeps the process alive only while writes are pending. `workerUrl` is for tests.
 */
export function startSqliteWriter(options: {
  path: string;
  limits: SqliteLimits;
  workerUrl?: URL;
}): SqliteWriter {
  const workerData: WriterData = { path: options.path, limits: options.limits };
  const pending = new Map<number, PendingWrite>();
  let nextId = 0;
  let closing: Promise<void> | undefined;
  /** Threads that died since a write last finished. */
  let crashesInARow = 0;

  function spawn(): Worker {
    const started = new Worker(options.workerUrl ?? writerUrl, { workerData });
    let crash: unknown;
    started.on('message', (reply: WriterReply) => {
      if (reply.type === 'closed') return;
      const write = pending.get(reply.id);
      if (write === undefined) return;
      pending.delete(reply.id);
      crashesInARow = 0;
      if (pending.size === 0 && closing === undefined) started.unref();
      if (reply.type === 'done') write.resolve(reply.value);
      else write.reject(deserializeFailure(reply.error));
    });
    started.on('error', (error) => {
      crash = error;
    });
    started.on('exit', (exitCode) => {
      if (worker === started) worker = undefined;
      if (closing === undefined) crashesInARow++;
      const lost = [...pending.values()];
      pending.clear();
      for (const write of lost) {
        write.reject(
          new DocchatError(
            'storage_unavailable',
            'The database writer stopped unexpectedly, so this may not have been saved; try again.',
            { cause: crash, details: { exitCode } },
          ),
        );
      }
    });
    started.unref();
    return started;
  }

  // Started at once, so that its modules load while the server starts, not on the first write.
  let worker: Worker | undefined = spawn();

  return {
    run<K extends WriteName>(name: K, args: WriteArgs<K>, transfer: ArrayBuffer[] = []) {
      if (closing !== undefined) {
        return Promise.reject(
          new DocchatError('internal', 'The chat store is closed; nothing more can be written.'),
        );
      }
      worker ??= spawn();
      const target = worker;
      const id = nextId++;
      return new Promise<WriteResult<K>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        target.ref();
        try {
          target.postMessage({ type: 'write', id, name, args } as WriteRequest, transfer);
        } catch (error) {
          pending.delete(id);
          if (pending.size === 0) target.unref();
          reject(error);
        }
      });
    },

    health() {
      if (crashesInARow < writerCrashLimit) return { status: 'ok' };
      return {
        status: 'error',
        error: 'storage_unavailable',
        message: `The database writer stopped ${crashesInARow} times in a row without saving anything; see the server log.`,
      };
    },

    close() {
      closing ??= (async () => {
        const current = worker;
        if (current === undefined) return;
        current.ref();
        // Not events.once: it would reject if the thread failed while closing, and close must not.
        const exited = new Promise((resolve) => current.once('exit', resolve));
        current.postMessage({ type: 'close' });
        await exited;
      })();
      return closing;
    },
  };
}
