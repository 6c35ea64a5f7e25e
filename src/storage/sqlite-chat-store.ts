import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from 'node:sqlite';
import { DocchatError, type ErrorCode, errorCodes } from '../core/errors.ts';
import { withOcrFlags } from '../core/ocr-pages.ts';
import type { Chunk, DocumentSummary, ModelInfo, Source, TextBox } from '../core/types.ts';
import type {
  ChatRecord,
  ChatStore,
  DocumentLayout,
  MessageRecord,
  MessageStatus,
  SessionRecord,
  StoredDocument,
  StoredFile,
  UploadRecord,
} from './chat-store.ts';
import { packContents, unpackContents } from './pack-contents.ts';

/** The schema version this code writes, kept in `PRAGMA user_version`. */
export const sqliteSchemaVersion = 5;

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

/** How the WAL is kept small; defaults of {@link createSqliteChatStore}. */
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

type Row = Record<string, SQLOutputValue>;

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column);
  return value;
}

function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw corrupt(column);
  return value;
}

function optionalText(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
}

function optionalInteger(row: Row, column: string): number | null {
  const value = row[column];
  return typeof value === 'number' ? value : null;
}

function corrupt(column: string): DocchatError {
  return new DocchatError('internal', `The chat database has an unexpected value in column ${column}.`);
}

/** Every chunk's section path as one JSON array (`null` entries for none), or `null` when no chunk has one. */
function sectionsJson(chunks: readonly Chunk[]): string | null {
  if (chunks.every((chunk) => chunk.section === undefined)) return null;
  return JSON.stringify(chunks.map((chunk) => chunk.section ?? null));
}

/** Puts back the section paths {@link sectionsJson} stored. */
function withSections(chunks: Chunk[], json: string | undefined): Chunk[] {
  if (json === undefined) return chunks;
  const sections = JSON.parse(json) as (string[] | null)[];
  return chunks.map((chunk, i) => {
    const section = sections[i];
    return section === null || section === undefined ? chunk : { ...chunk, section };
  });
}

/** Boxes as JSON arrays `[page, x, y, width, height, start, end]`: a third of the size of objects. */
function boxesToJson(boxes: readonly TextBox[]): string {
  return JSON.stringify(
    boxes.map((box) => [box.page, box.x, box.y, box.width, box.height, box.start, box.end]),
  );
}

function boxesFromJson(json: string): TextBox[] {
  return (JSON.parse(json) as number[][]).map(
    ([page = 0, x = 0, y = 0, width = 0, height = 0, start = 0, end = 0]) => ({
      page,
      x,
      y,
      width,
      height,
      start,
      end,
    }),
  );
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

function chatNotFound(): DocchatError {
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

/**
 * A {@link ChatStore} in one SQLite file (Node's built-in `node:sqlite`): WAL journal kept small, foreign keys
 * with cascading deletes, `secure_delete` and incremental vacuum so that deleted text is overwritten and its
 * space returned, one compact row of contents per document ({@link packContents}). Pass `':memory:'` for a
 * throwaway store. The parent directory is created if missing. Throws `internal` if the file was written by a
 * newer schema, `storage_corrupt` if it is not a database. Databases of schema 1 are migrated in place.
 */
export function createSqliteChatStore(options: { path: string; limits?: SqliteLimits }): ChatStore {
  const { path } = options;
  const limits = options.limits ?? defaultSqliteLimits;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  } catch (error) {
    throw storageError(error, path) ?? error;
  }
  try {
    migrate(db, limits);
  } catch (error) {
    db.close();
    throw storageError(error, path) ?? error;
  }

  const statements = {
    insertSession: db.prepare('INSERT INTO sessions (id, created_at, last_seen_at) VALUES (?, ?, ?)'),
    getSession: db.prepare('SELECT id, created_at, last_seen_at FROM sessions WHERE id = ?'),
    touchSession: db.prepare('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?'),
    chatIdsOfSession: db.prepare('SELECT id FROM chats WHERE session_id = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    chatIdsIdleSince: db.prepare(
      'SELECT chats.id FROM chats JOIN sessions ON sessions.id = chats.session_id WHERE sessions.last_seen_at < ?',
    ),
    deleteSessionsIdleSince: db.prepare('DELETE FROM sessions WHERE last_seen_at < ?'),
    insertChat: db.prepare('INSERT INTO chats (id, session_id, created_at, updated_at) VALUES (?, ?, ?, ?)'),
    listChats: db.prepare(
      'SELECT id, session_id, created_at, updated_at FROM chats WHERE session_id = ? ORDER BY updated_at DESC, created_at DESC, rowid DESC',
    ),
    getChat: db.prepare(
      'SELECT id, session_id, created_at, updated_at FROM chats WHERE id = ? AND session_id = ?',
    ),
    chatExists: db.prepare('SELECT 1 AS found FROM chats WHERE id = ?'),
    touchChat: db.prepare('UPDATE chats SET updated_at = max(updated_at, ?) WHERE id = ?'),
    deleteChat: db.prepare('DELETE FROM chats WHERE id = ? AND session_id = ?'),
    documentSummaries: db.prepare(
      'SELECT id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters, embedder FROM documents WHERE chat_id = ? ORDER BY rowid',
    ),
    documentByKey: db.prepare(
      'SELECT id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters FROM documents WHERE chat_id = ? AND idempotency_key = ?',
    ),
    insertDocument: db.prepare(
      'INSERT INTO documents (id, chat_id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters, embedder, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertContents: db.prepare(
      'INSERT INTO document_contents (document_id, text, layout, ids, sources, dimensions, vectors, sections) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    contentsOfDocument: db.prepare(
      'SELECT text, layout, ids, sources, dimensions, vectors, sections FROM document_contents WHERE document_id = ?',
    ),
    insertFile: db.prepare('INSERT INTO document_files (document_id, content_type, bytes) VALUES (?, ?, ?)'),
    getFile: db.prepare(
      'SELECT content_type, bytes FROM document_files JOIN documents ON documents.id = document_files.document_id WHERE documents.id = ? AND documents.chat_id = ?',
    ),
    insertLayout: db.prepare('INSERT INTO document_layouts (document_id, text, boxes) VALUES (?, ?, ?)'),
    getLayout: db.prepare(
      'SELECT text, boxes FROM document_layouts JOIN documents ON documents.id = document_layouts.document_id WHERE documents.id = ? AND documents.chat_id = ?',
    ),
    uploadsOfChat: db.prepare(
      'SELECT id, source, created_at, status FROM uploads WHERE chat_id = ? ORDER BY created_at, rowid',
    ),
    insertUpload: db.prepare(
      "INSERT INTO uploads (id, chat_id, source, created_at, status) VALUES (?, ?, ?, ?, 'ingesting')",
    ),
    deleteUpload: db.prepare('DELETE FROM uploads WHERE id = ? AND chat_id = ?'),
    failUploads: db.prepare("UPDATE uploads SET status = 'failed' WHERE status = 'ingesting'"),
    insertMessage: db.prepare(
      'INSERT INTO messages (id, chat_id, role, content, created_at, status, query, sources, model, error, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateMessage: db.prepare(
      'UPDATE messages SET role = ?, content = ?, created_at = ?, status = ?, query = ?, sources = ?, model = ?, error = ?, truncated = ? WHERE id = ? AND chat_id = ?',
    ),
    interruptMessages: db.prepare("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'"),
    listMessages: db.prepare(
      'SELECT id, role, content, created_at, status, query, sources, model, error, truncated FROM messages WHERE chat_id = ? ORDER BY seq',
    ),
    listLastMessages: db.prepare(
      'SELECT * FROM (SELECT seq, id, role, content, created_at, status, query, sources, model, error, truncated FROM messages ' +
        'WHERE chat_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
    ),
  };

  /** Set once the file was found damaged: every later call fails the same way instead of writing into it. */
  let damage: DocchatError | undefined;

  /** Runs one store operation, turning SQLite's corruption and disk-full failures into their error codes. */
  function guarded<T>(work: () => T): T {
    if (damage !== undefined) throw damage;
    try {
      return work();
    } catch (error) {
      const failure = storageError(error, path);
      if (failure === undefined) throw error;
      if (failure.code === 'storage_corrupt') damage = failure;
      throw failure;
    }
  }

  /** Runs `work` in one transaction; node:sqlite is synchronous, so nothing else interleaves. */
  function transaction<T>(work: () => T): T {
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

  /** After a delete: freed pages go back to the file system and the WAL (old page images) is emptied. */
  function reclaimSpace(): void {
    db.exec('PRAGMA incremental_vacuum');
    if (path !== ':memory:') db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  function ids(rows: Row[]): string[] {
    return rows.map((row) => text(row, 'id'));
  }

  function toSummary(row: Row): DocumentSummary {
    const kind = text(row, 'kind');
    const readablePages = optionalInteger(row, 'readable_pages');
    const ocrPages = optionalText(row, 'ocr_pages');
    return {
      id: text(row, 'id'),
      source: text(row, 'source'),
      kind: kind === 'pdf' ? 'pdf' : 'text',
      pages: optionalInteger(row, 'pages'),
      ...(readablePages === null ? {} : { readablePages }),
      chunks: integer(row, 'chunk_count'),
      characters: integer(row, 'characters'),
      ...(ocrPages === undefined ? {} : { ocrPages: JSON.parse(ocrPages) as number[] }),
    };
  }

  function toUpload(row: Row): UploadRecord {
    return {
      id: text(row, 'id'),
      source: text(row, 'source'),
      createdAt: integer(row, 'created_at'),
      status: text(row, 'status') === 'failed' ? 'failed' : 'ingesting',
    };
  }

  function toChat(row: Row): ChatRecord {
    const id = text(row, 'id');
    return {
      id,
      sessionId: text(row, 'session_id'),
      createdAt: integer(row, 'created_at'),
      updatedAt: integer(row, 'updated_at'),
      documents: statements.documentSummaries.all(id).map(toSummary),
      uploads: statements.uploadsOfChat.all(id).map(toUpload),
    };
  }

  function toMessage(row: Row): MessageRecord {
    const role = text(row, 'role');
    const message: MessageRecord = {
      id: text(row, 'id'),
      role: role === 'assistant' ? 'assistant' : 'user',
      content: text(row, 'content'),
      createdAt: integer(row, 'created_at'),
    };
    const status = optionalText(row, 'status');
    if (status !== undefined && messageStatuses.has(status)) message.status = status as MessageStatus;
    const query = optionalText(row, 'query');
    if (query !== undefined) message.query = query;
    const sources = optionalText(row, 'sources');
    if (sources !== undefined) message.sources = JSON.parse(sources) as Source[];
    const model = optionalText(row, 'model');
    if (model !== undefined) message.model = JSON.parse(model) as ModelInfo;
    const error = optionalText(row, 'error');
    if (error !== undefined) {
      const parsed = JSON.parse(error) as { error?: unknown; message?: unknown };
      message.error = {
        error: isErrorCode(parsed.error) ? parsed.error : 'internal',
        message: typeof parsed.message === 'string' ? parsed.message : '',
      };
    }
    if (row.truncated === 1) message.truncated = true;
    return message;
  }

  function toStoredDocument(row: Row): StoredDocument {
    const summary = toSummary(row);
    const contents = statements.contentsOfDocument.get(summary.id);
    if (contents === undefined) throw corrupt('document_contents');
    const layout = contents.layout;
    const vectors = contents.vectors;
    if (!(layout instanceof Uint8Array)) throw corrupt('layout');
    const unpacked = unpackContents(summary.id, summary.source, {
      text: text(contents, 'text'),
      layout,
      ids: parseStrings(optionalText(contents, 'ids')),
      sources: parseStrings(optionalText(contents, 'sources')),
      dimensions: optionalInteger(contents, 'dimensions'),
      vectors: vectors instanceof Uint8Array ? vectors : null,
    });
    return {
      summary,
      embedder: optionalText(row, 'embedder') ?? null,
      ...unpacked,
      chunks: withOcrFlags(
        withSections(unpacked.chunks, optionalText(contents, 'sections')),
        summary.ocrPages,
      ),
    };
  }

  function requireChat(chatId: string): void {
    if (statements.chatExists.get(chatId) === undefined) throw chatNotFound();
  }

  const json = (value: unknown): SQLInputValue => (value === undefined ? null : JSON.stringify(value));

  function messageValues(message: MessageRecord): SQLInputValue[] {
    return [
      message.role,
      message.content,
      message.createdAt,
      message.status ?? null,
      message.query ?? null,
      json(message.sources),
      json(message.model),
      json(message.error),
      message.truncated ? 1 : null,
    ];
  }

  return {
    async createSession(session) {
      guarded(() => statements.insertSession.run(session.id, session.createdAt, session.lastSeenAt));
    },

    async getSession(sessionId) {
      const row = guarded(() => statements.getSession.get(sessionId));
      if (row === undefined) return null;
      return {
        id: text(row, 'id'),
        createdAt: integer(row, 'created_at'),
        lastSeenAt: integer(row, 'last_seen_at'),
      } satisfies SessionRecord;
    },

    async touchSession(sessionId, lastSeenAt) {
      guarded(() => statements.touchSession.run(lastSeenAt, sessionId));
    },

    async deleteSession(sessionId) {
      return guarded(() => {
        const chatIds = transaction(() => {
          const found = ids(statements.chatIdsOfSession.all(sessionId));
          statements.deleteSession.run(sessionId);
          return found;
        });
        reclaimSpace();
        return chatIds;
      });
    },

    async deleteSessionsIdleSince(cutoff) {
      return guarded(() => {
        const { chatIds, sessions } = transaction(() => {
          const found = ids(statements.chatIdsIdleSince.all(cutoff));
          const deleted = Number(statements.deleteSessionsIdleSince.run(cutoff).changes);
          return { chatIds: found, sessions: deleted };
        });
        if (sessions > 0) reclaimSpace();
        return chatIds;
      });
    },

    async createChat(chat) {
      guarded(() => {
        try {
          statements.insertChat.run(chat.id, chat.sessionId, chat.createdAt, chat.createdAt);
        } catch (error) {
          if (statements.getSession.get(chat.sessionId) === undefined) {
            throw new DocchatError(
              'not_found',
              'This session has expired; reload the page to start a new one.',
              { cause: error },
            );
          }
          throw error;
        }
      });
      return { ...chat, updatedAt: chat.createdAt, documents: [], uploads: [] };
    },

    async listChats(sessionId) {
      return guarded(() => statements.listChats.all(sessionId).map(toChat));
    },

    async getChat(sessionId, chatId) {
      return guarded(() => {
        const row = statements.getChat.get(chatId, sessionId);
        return row === undefined ? null : toChat(row);
      });
    },

    async deleteChat(sessionId, chatId) {
      return guarded(() => {
        const deleted = Number(statements.deleteChat.run(chatId, sessionId).changes) > 0;
        if (deleted) reclaimSpace();
        return deleted;
      });
    },

    async addDocument(chatId, document, now) {
      const { summary, chunks, vectors } = document;
      if (vectors !== null && vectors.length !== chunks.length) {
        throw new DocchatError('internal', 'A document must have exactly one vector per chunk.');
      }
      const packed = packContents(summary.id, summary.source, chunks, vectors);
      guarded(() =>
        transaction(() => {
          requireChat(chatId);
          statements.insertDocument.run(
            summary.id,
            chatId,
            summary.source,
            summary.kind,
            summary.pages,
            summary.readablePages ?? null,
            json(summary.ocrPages),
            summary.chunks,
            summary.characters,
            document.embedder,
            now,
            document.idempotencyKey ?? null,
          );
          statements.insertContents.run(
            summary.id,
            packed.text,
            packed.layout,
            json(packed.ids ?? undefined),
            json(packed.sources ?? undefined),
            packed.dimensions,
            packed.vectors,
            sectionsJson(chunks),
          );
          if (document.file !== undefined) {
            statements.insertFile.run(summary.id, document.file.contentType, document.file.bytes);
          }
          if (document.layout !== undefined) {
            statements.insertLayout.run(summary.id, document.layout.text, boxesToJson(document.layout.boxes));
          }
          statements.deleteUpload.run(summary.id, chatId);
          statements.touchChat.run(now, chatId);
        }),
      );
    },

    async loadDocuments(chatId, documentIds) {
      const wanted = documentIds === undefined ? null : new Set(documentIds);
      return guarded(() =>
        statements.documentSummaries
          .all(chatId)
          .filter((row) => wanted === null || wanted.has(text(row, 'id')))
          .map(toStoredDocument),
      );
    },

    async findDocumentByIdempotencyKey(chatId, idempotencyKey) {
      return guarded(() => {
        const row = statements.documentByKey.get(chatId, idempotencyKey);
        return row === undefined ? null : toSummary(row);
      });
    },

    async beginUpload(chatId, upload) {
      guarded(() =>
        transaction(() => {
          requireChat(chatId);
          statements.insertUpload.run(upload.id, chatId, upload.source, upload.createdAt);
        }),
      );
    },

    async discardUpload(chatId, uploadId) {
      guarded(() => statements.deleteUpload.run(uploadId, chatId));
    },

    async getDocumentFile(chatId, documentId) {
      return guarded(() => {
        const row = statements.getFile.get(documentId, chatId);
        if (row === undefined) return null;
        const bytes = row.bytes;
        if (!(bytes instanceof Uint8Array)) throw corrupt('bytes');
        return { contentType: text(row, 'content_type'), bytes } satisfies StoredFile;
      });
    },

    async getDocumentLayout(chatId, documentId) {
      return guarded(() => {
        const row = statements.getLayout.get(documentId, chatId);
        if (row === undefined) return null;
        return { text: text(row, 'text'), boxes: boxesFromJson(text(row, 'boxes')) } satisfies DocumentLayout;
      });
    },

    async addMessage(chatId, message) {
      guarded(() =>
        transaction(() => {
          requireChat(chatId);
          statements.insertMessage.run(message.id, chatId, ...messageValues(message));
          statements.touchChat.run(message.createdAt, chatId);
        }),
      );
    },

    async updateMessage(chatId, message) {
      guarded(() =>
        transaction(() => {
          const changes = statements.updateMessage.run(...messageValues(message), message.id, chatId).changes;
          if (Number(changes) === 0) throw chatNotFound();
          statements.touchChat.run(message.createdAt, chatId);
        }),
      );
    },

    async listMessages(chatId, options = {}) {
      return guarded(() =>
        (options.last === undefined
          ? statements.listMessages.all(chatId)
          : statements.listLastMessages.all(chatId, options.last)
        ).map(toMessage),
      );
    },

    async recoverInterrupted() {
      return guarded(() =>
        transaction(() => ({
          messages: Number(statements.interruptMessages.run().changes),
          uploads: Number(statements.failUploads.run().changes),
        })),
      );
    },

    async health() {
      if (damage !== undefined) return { status: 'error', error: damage.code, message: damage.message };
      return { status: 'ok' };
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
}

const messageStatuses = new Set<string>(['complete', 'stopped', 'error', 'streaming', 'interrupted']);

function parseStrings(value: string | undefined): string[] | null {
  return value === undefined ? null : (JSON.parse(value) as string[]);
}

/** Runs `sql` in one transaction (for migrations, before any store statement exists). */
function inTransaction(db: DatabaseSync, work: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (error) {
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

function migrate(db: DatabaseSync, limits: SqliteLimits): void {
  // Set before the first table exists, so that a new file is created with incremental vacuum.
  db.exec('PRAGMA auto_vacuum = INCREMENTAL');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA secure_delete = ON');
  db.exec(`PRAGMA wal_autocheckpoint = ${Math.trunc(limits.walAutocheckpointPages)}`);
  db.exec(`PRAGMA journal_size_limit = ${Math.trunc(limits.walSizeLimitBytes)}`);
  if (limits.maxPageCount !== undefined)
    db.exec(`PRAGMA max_page_count = ${Math.trunc(limits.maxPageCount)}`);
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
      db.exec(schemaV5);
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
