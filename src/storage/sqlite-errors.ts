import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { DocchatError } from '../core/errors.ts';

/** A write to a chat that no longer exists. */
export function chatNotFound(): DocchatError {
  return new DocchatError('not_found', 'This chat does not exist (it may have been deleted or expired).');
}

/** SQLite's primary result codes that mean the file is damaged, or the disk (or a size limit) is full. */
const sqliteCorrupt = new Set([11, 26]);
const sqliteFull = 13;
/** `SQLITE_IOERR_WRITE`: a write the OS refused, which is how a file-size limit (`EFBIG`) shows up. */
const sqliteIoErrWrite = 778;

/** The `storage_corrupt` / `storage_full` error for a node:sqlite failure, or `undefined` for other errors. */
export function storageError(error: unknown, path: string): DocchatError | undefined {
  if (!(error instanceof Error) || !('errcode' in error) || typeof error.errcode !== 'number')
    return undefined;
  const code = error.errcode;
  if (sqliteCorrupt.has(code & 0xff)) {
    return new DocchatError(
      'storage_corrupt',
      `The chat database ${path} is damaged (${error.message}); restore a backup or move it away to start empty.`,
      { cause: error },
    );
  }
  if ((code & 0xff) === sqliteFull || code === sqliteIoErrWrite) {
    return new DocchatError(
      'storage_full',
      'The server has no room left to store this (its disk or storage limit is full); nothing was saved.',
      { cause: error },
    );
  }
  return undefined;
}

/**
 * Checks a database file before the server uses it: it opens, and `PRAGMA quick_check` finds it whole.
 * A missing file is fine (it will be created). Throws `storage_corrupt` naming the file and the first problem.
 */
export function verifySqliteFile(path: string): void {
  if (path === ':memory:' || !existsSync(path)) return;
  let db: DatabaseSync | undefined;
  let problem: string;
  try {
    db = new DatabaseSync(path);
    const rows = db.prepare('PRAGMA quick_check(1)').all();
    problem = String(rows[0]?.quick_check ?? 'no answer from quick_check');
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  } finally {
    db?.close();
  }
  if (problem !== 'ok') {
    throw new DocchatError(
      'storage_corrupt',
      `The chat database ${path} is damaged (${problem}); restore a backup or move it away to start empty.`,
    );
  }
}
