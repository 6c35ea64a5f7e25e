import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { storageError } from './sqlite-errors.ts';
import { configureConnection } from './sqlite-schema.ts';
import {
  serializeFailure,
  type WriterData,
  type WriterReply,
  type WriterRequest,
} from './sqlite-writer-messages.ts';
import { createSqliteWrites, runWrite, type SqliteWrites } from './sqlite-writes.ts';

/**
 * Entry of the SQLite store's writer thread (started by `startSqliteWriter`): owns the one connection that
 * writes, runs each write posted to it in order, and posts back its result or error. The file is already
 * migrated by the main thread; this connection only sets what SQLite keeps per connection.
 */
if (!parentPort)
  throw new Error('sqlite-writer.ts runs only as a worker thread (see start-sqlite-writer.ts).');
const port = parentPort;
const { path, limits } = workerData as WriterData;

/** The connection and its writes, or why it could not be opened: every write then fails with that. */
let opened: { db: DatabaseSync; writes: SqliteWrites } | { failure: unknown };
try {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  configureConnection(db, limits);
  opened = { db, writes: createSqliteWrites(db, path) };
} catch (error) {
  opened = { failure: storageError(error, path) ?? error };
}

function reply(message: WriterReply): void {
  port.postMessage(message);
}

port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    if ('db' in opened && opened.db.isOpen) opened.db.close();
    reply({ type: 'closed' });
    port.close();
    return;
  }
  try {
    if ('failure' in opened) throw opened.failure;
    reply({ type: 'done', id: request.id, value: runWrite(opened.writes, path, request.name, request.args) });
  } catch (error) {
    const failure = serializeFailure(error);
    try {
      reply({ type: 'error', id: request.id, error: failure });
    } catch {
      // Details that cannot be cloned must not turn a clear error into a lost reply.
      reply({ type: 'error', id: request.id, error: { ...failure, details: {}, cause: undefined } });
    }
  }
});
