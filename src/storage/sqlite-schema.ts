import type { DatabaseSync } from 'node:sqlite';
import { DocchatError } from '../core/errors.ts';
import type { Chunk } from '../core/types.ts';
import { packContents } from './pack-contents.ts';
import { integer, optionalInteger, text } from './sqlite-rows.ts';

/** The schema version this code writes, kept in `PRAGMA user_version`. */
export const sqliteSchemaVersion = 6;

/** Version 1: one row per chunk with its own text (overlaps stored twice) and vector. */
const schemaV1 = `
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE TABLE chats (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX chats_session ON chats (session_id, updated_at);
CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  pages INTEGER,
  chunk_count INTEGER NOT NULL,
  characters INTEGER NOT NULL,
  embedder TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX documents_chat ON documents (chat_id);
CREATE TABLE chunks (
  document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  page INTEGER,
  start_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  text TEXT NOT NULL,
  vector BLOB,
  PRIMARY KEY (document_id, position)
) WITHOUT ROWID;
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT,
  query TEXT,
  sources TEXT,
  model TEXT,
  error TEXT
);
CREATE INDEX messages_chat ON messages (chat_id, seq);
`;

/** The schema-1 tables, for the migration test. */
export const schemaVersion1ForTests = schemaV1;

/**
 * Version 2 on top of version 1: a document's text once (overlapping chunks share it) and all its vectors in
 * one BLOB (see {@link packContents}); uploads in progress; the upload's idempotency key.
 */
const schemaV2 = `
ALTER TABLE documents ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX documents_idempotency ON documents (chat_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE TABLE document_contents (
  document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  layout BLOB NOT NULL,
  ids TEXT,
  sources TEXT,
  dimensions INTEGER,
  vectors BLOB
);
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  chat_id TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX uploads_chat ON uploads (chat_id);
`;

/** Version 3: how many pages of a damaged PDF could be read. */
const schemaV3 = `
ALTER TABLE documents ADD COLUMN readable_pages INTEGER;
`;

/** Version 4: section paths of chunks, and each document's original file and text positions for the viewer. */
const schemaV4 = `
ALTER TABLE document_contents ADD COLUMN sections TEXT;
CREATE TABLE document_files (
  document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  content_type TEXT NOT NULL,
  bytes BLOB NOT NULL
);
CREATE TABLE document_layouts (
  document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  boxes TEXT NOT NULL
);
`;

/** Version 5: the pages of a document that were read by OCR (a JSON array of page numbers). */
const schemaV5 = `
ALTER TABLE documents ADD COLUMN ocr_pages TEXT;
`;

/**
 * Version 6: how a document's large values are stored (`stored-compression.ts`): `NULL` as they are, `deflate`
 * compressed (then `text` and `boxes` hold BLOBs, which SQLite keeps as they are in any column).
 */
const schemaV6 = `
ALTER TABLE document_contents ADD COLUMN encoding TEXT;
ALTER TABLE document_files ADD COLUMN encoding TEXT;
ALTER TABLE document_layouts ADD COLUMN encoding TEXT;
`;

/** How the WAL is kept small; defaults of `createSqliteChatStore`. */
export interface SqliteLimits {
  /** WAL pages after which a commit checkpoints into the main file (SQLite's `wal_autocheckpoint`). */
  walAutocheckpointPages: number;
  /** The WAL file is truncated back to this size after a checkpoint (SQLite's `journal_size_limit`). */
  walSizeLimitBytes: number;
  /** Caps the file at this many pages (SQLite's `max_page_count`); `undefined` leaves SQLite's huge default. */
  maxPageCount?: number;
}

/** 1,000 pages (4 MB) is SQLite's own default; the WAL is cut back to 16 MB after a large write. */
export const defaultSqliteLimits: SqliteLimits = {
  walAutocheckpointPages: 1000,
  walSizeLimitBytes: 16 * 1024 * 1024,
};

/** Runs `work` in one write transaction; node:sqlite is synchronous, so nothing else on this connection interleaves. */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // A failed COMMIT (disk full) may have rolled back already: a second ROLLBACK would hide the cause.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Moves schema-1 chunk rows (text and vector per chunk) into one compact contents row per document. */
function packVersion1Chunks(db: DatabaseSync): void {
  const documents = db.prepare('SELECT id, source FROM documents ORDER BY rowid').all();
  const chunksOf = db.prepare(
    'SELECT id, source, page, start_offset, end_offset, text, vector FROM chunks WHERE document_id = ? ORDER BY position',
  );
  const insert = db.prepare(
    'INSERT INTO document_contents (document_id, text, layout, ids, sources, dimensions, vectors) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const document of documents) {
    const id = text(document, 'id');
    const source = text(document, 'source');
    const rows = chunksOf.all(id);
    const chunks = rows.map(
      (row): Chunk => ({
        id: text(row, 'id'),
        documentId: id,
        source: text(row, 'source'),
        page: optionalInteger(row, 'page'),
        start: integer(row, 'start_offset'),
        end: integer(row, 'end_offset'),
        text: text(row, 'text'),
      }),
    );
    const blobs = rows.map((row) => row.vector);
    const vectors =
      blobs.length > 0 && blobs.every((blob) => blob instanceof Uint8Array)
        ? blobs.map((blob) => new Float32Array(new Uint8Array(blob as Uint8Array).buffer))
        : null;
    const packed = packContents(id, source, chunks, vectors);
    insert.run(
      id,
      packed.text,
      packed.layout,
      packed.ids === null ? null : JSON.stringify(packed.ids),
      packed.sources === null ? null : JSON.stringify(packed.sources),
      packed.dimensions,
      packed.vectors,
    );
  }
  db.exec('DROP TABLE chunks');
}

/**
 * The settings SQLite keeps per connection (foreign keys, `secure_delete`, the WAL limits, `max_page_count`):
 * every connection that writes must set them, the writer thread's as much as the one that migrates.
 */
export function configureConnection(db: DatabaseSync, limits: SqliteLimits): void {
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA secure_delete = ON');
  db.exec(`PRAGMA wal_autocheckpoint = ${Math.trunc(limits.walAutocheckpointPages)}`);
  db.exec(`PRAGMA journal_size_limit = ${Math.trunc(limits.walSizeLimitBytes)}`);
  if (limits.maxPageCount !== undefined)
    db.exec(`PRAGMA max_page_count = ${Math.trunc(limits.maxPageCount)}`);
}

/**
 * Brings a file to {@link sqliteSchemaVersion} in place (WAL journal, incremental vacuum) and configures the
 * connection. Throws `internal` for a file of a newer schema.
 */
export function migrate(db: DatabaseSync, limits: SqliteLimits): void {
  // Set before the first table exists, so that a new file is created with incremental vacuum.
  db.exec('PRAGMA auto_vacuum = INCREMENTAL');
  db.exec('PRAGMA journal_mode = WAL');
  configureConnection(db, limits);
  const row = db.prepare('PRAGMA user_version').get();
  const version = typeof row?.user_version === 'number' ? row.user_version : 0;
  if (version > sqliteSchemaVersion) {
    throw new DocchatError(
      'internal',
      `The chat database was written by a newer docchat (schema ${version}); upgrade docchat or use another DOCCHAT_DATA_DIR.`,
    );
  }
  if (version < sqliteSchemaVersion) {
    inTransaction(db, () => {
      if (version === 0) db.exec(schemaV1);
      if (version < 2) db.exec(schemaV2);
      if (version === 1) packVersion1Chunks(db);
      if (version < 3) db.exec(schemaV3);
      if (version < 4) db.exec(schemaV4);
      if (version < 5) db.exec(schemaV5);
      db.exec(schemaV6);
      db.exec(`PRAGMA user_version = ${sqliteSchemaVersion}`);
    });
  }
  // A file made before incremental vacuum was turned on only switches with a full VACUUM, once.
  const vacuum = db.prepare('PRAGMA auto_vacuum').get();
  if (vacuum?.auto_vacuum !== 2) db.exec('VACUUM');
  addColumnIfMissing(db, 'messages', 'truncated', 'INTEGER');
}

/** Adds a nullable column that later code writes; older databases read it as absent. */
function addColumnIfMissing(db: DatabaseSync, table: string, column: string, type: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all();
  if (!columns.some((info) => info.name === column))
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}
