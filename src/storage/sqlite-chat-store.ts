import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from 'node:sqlite';
import { DocchatError, type ErrorCode, errorCodes } from '../core/errors.ts';
import type { Chunk, DocumentSummary, ModelInfo, Source, TextBox } from '../core/types.ts';
import type {
  ChatRecord,
  ChatStore,
  DocumentLayout,
  MessageRecord,
  SessionRecord,
  StoredDocument,
  StoredFile,
} from './chat-store.ts';

/** The schema version this code writes, kept in `PRAGMA user_version`. */
export const sqliteSchemaVersion = 2;

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

/** Version 2: section paths of chunks, and each document's original file and text positions for the viewer. */
const schemaV2 = `
ALTER TABLE chunks ADD COLUMN section TEXT;
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

/** Each schema's script, applied in order to bring a database from version `index` to `index + 1`. */
const migrations = [schemaV1, schemaV2];

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

function vectorToBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

function bytesToVector(bytes: Uint8Array): Float32Array {
  // Copy: the blob's byte offset need not be 4-aligned, and the copy owns its memory.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
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

/**
 * A {@link ChatStore} in one SQLite file (Node's built-in `node:sqlite`): WAL journal, foreign keys with
 * cascading deletes, vectors as little-endian Float32 BLOBs. Pass `':memory:'` for a throwaway store.
 * The parent directory is created if missing. Throws `internal` if the file was written by a newer schema.
 */
export function createSqliteChatStore(options: { path: string }): ChatStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new DatabaseSync(options.path, { enableForeignKeyConstraints: true, timeout: 5000 });
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
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
      'SELECT id, source, kind, pages, chunk_count, characters, embedder FROM documents WHERE chat_id = ? ORDER BY rowid',
    ),
    insertDocument: db.prepare(
      'INSERT INTO documents (id, chat_id, source, kind, pages, chunk_count, characters, embedder, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertChunk: db.prepare(
      'INSERT INTO chunks (document_id, position, id, source, page, start_offset, end_offset, text, vector, section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    chunksOfDocument: db.prepare(
      'SELECT id, source, page, start_offset, end_offset, text, vector, section FROM chunks WHERE document_id = ? ORDER BY position',
    ),
    insertFile: db.prepare('INSERT INTO document_files (document_id, content_type, bytes) VALUES (?, ?, ?)'),
    getFile: db.prepare(
      'SELECT content_type, bytes FROM document_files JOIN documents ON documents.id = document_files.document_id WHERE documents.id = ? AND documents.chat_id = ?',
    ),
    insertLayout: db.prepare('INSERT INTO document_layouts (document_id, text, boxes) VALUES (?, ?, ?)'),
    getLayout: db.prepare(
      'SELECT text, boxes FROM document_layouts JOIN documents ON documents.id = document_layouts.document_id WHERE documents.id = ? AND documents.chat_id = ?',
    ),
    insertMessage: db.prepare(
      'INSERT INTO messages (id, chat_id, role, content, created_at, status, query, sources, model, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    listMessages: db.prepare(
      'SELECT id, role, content, created_at, status, query, sources, model, error FROM messages WHERE chat_id = ? ORDER BY seq',
    ),
  };

  /** Runs `work` in one transaction; node:sqlite is synchronous, so nothing else interleaves. */
  function transaction<T>(work: () => T): T {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  function ids(rows: Row[]): string[] {
    return rows.map((row) => text(row, 'id'));
  }

  function toSummary(row: Row): DocumentSummary {
    const kind = text(row, 'kind');
    return {
      id: text(row, 'id'),
      source: text(row, 'source'),
      kind: kind === 'pdf' ? 'pdf' : 'text',
      pages: optionalInteger(row, 'pages'),
      chunks: integer(row, 'chunk_count'),
      characters: integer(row, 'characters'),
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
    if (status === 'complete' || status === 'stopped' || status === 'error') message.status = status;
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
    return message;
  }

  function requireChat(chatId: string): void {
    if (statements.chatExists.get(chatId) === undefined) throw chatNotFound();
  }

  const json = (value: unknown): SQLInputValue => (value === undefined ? null : JSON.stringify(value));

  return {
    async createSession(session) {
      statements.insertSession.run(session.id, session.createdAt, session.lastSeenAt);
    },

    async getSession(sessionId) {
      const row = statements.getSession.get(sessionId);
      if (row === undefined) return null;
      return {
        id: text(row, 'id'),
        createdAt: integer(row, 'created_at'),
        lastSeenAt: integer(row, 'last_seen_at'),
      } satisfies SessionRecord;
    },

    async touchSession(sessionId, lastSeenAt) {
      statements.touchSession.run(lastSeenAt, sessionId);
    },

    async deleteSession(sessionId) {
      return transaction(() => {
        const chatIds = ids(statements.chatIdsOfSession.all(sessionId));
        statements.deleteSession.run(sessionId);
        return chatIds;
      });
    },

    async deleteSessionsIdleSince(cutoff) {
      return transaction(() => {
        const chatIds = ids(statements.chatIdsIdleSince.all(cutoff));
        statements.deleteSessionsIdleSince.run(cutoff);
        return chatIds;
      });
    },

    async createChat(chat) {
      try {
        statements.insertChat.run(chat.id, chat.sessionId, chat.createdAt, chat.createdAt);
      } catch (error) {
        if (statements.getSession.get(chat.sessionId) === undefined) {
          throw new DocchatError(
            'not_found',
            'This session has expired; reload the page to start a new one.',
            {
              cause: error,
            },
          );
        }
        throw error;
      }
      return { ...chat, updatedAt: chat.createdAt, documents: [] };
    },

    async listChats(sessionId) {
      return statements.listChats.all(sessionId).map(toChat);
    },

    async getChat(sessionId, chatId) {
      const row = statements.getChat.get(chatId, sessionId);
      return row === undefined ? null : toChat(row);
    },

    async deleteChat(sessionId, chatId) {
      return Number(statements.deleteChat.run(chatId, sessionId).changes) > 0;
    },

    async addDocument(chatId, document, now) {
      const { summary, chunks, vectors } = document;
      if (vectors !== null && vectors.length !== chunks.length) {
        throw new DocchatError('internal', 'A document must have exactly one vector per chunk.');
      }
      transaction(() => {
        requireChat(chatId);
        statements.insertDocument.run(
          summary.id,
          chatId,
          summary.source,
          summary.kind,
          summary.pages,
          summary.chunks,
          summary.characters,
          document.embedder,
          now,
        );
        chunks.forEach((chunk, position) => {
          const vector = vectors?.[position];
          statements.insertChunk.run(
            summary.id,
            position,
            chunk.id,
            chunk.source,
            chunk.page,
            chunk.start,
            chunk.end,
            chunk.text,
            vector === undefined ? null : vectorToBytes(vector),
            json(chunk.section),
          );
        });
        if (document.file !== undefined) {
          statements.insertFile.run(summary.id, document.file.contentType, document.file.bytes);
        }
        if (document.layout !== undefined) {
          statements.insertLayout.run(summary.id, document.layout.text, boxesToJson(document.layout.boxes));
        }
        statements.touchChat.run(now, chatId);
      });
    },

    async loadDocuments(chatId) {
      return statements.documentSummaries.all(chatId).map((row): StoredDocument => {
        const summary = toSummary(row);
        const chunkRows = statements.chunksOfDocument.all(summary.id);
        const chunks = chunkRows.map((chunk): Chunk => {
          const section = optionalText(chunk, 'section');
          return {
            id: text(chunk, 'id'),
            documentId: summary.id,
            source: text(chunk, 'source'),
            page: optionalInteger(chunk, 'page'),
            start: integer(chunk, 'start_offset'),
            end: integer(chunk, 'end_offset'),
            text: text(chunk, 'text'),
            ...(section === undefined ? {} : { section: JSON.parse(section) as string[] }),
          };
        });
        const blobs = chunkRows.map((chunk) => chunk.vector);
        const complete = blobs.length > 0 && blobs.every((blob) => blob instanceof Uint8Array);
        return {
          summary,
          embedder: optionalText(row, 'embedder') ?? null,
          chunks,
          vectors: complete ? blobs.map((blob) => bytesToVector(blob as Uint8Array)) : null,
        };
      });
    },

    async getDocumentFile(chatId, documentId) {
      const row = statements.getFile.get(documentId, chatId);
      if (row === undefined) return null;
      const bytes = row.bytes;
      if (!(bytes instanceof Uint8Array)) throw corrupt('bytes');
      return { contentType: text(row, 'content_type'), bytes } satisfies StoredFile;
    },

    async getDocumentLayout(chatId, documentId) {
      const row = statements.getLayout.get(documentId, chatId);
      if (row === undefined) return null;
      return { text: text(row, 'text'), boxes: boxesFromJson(text(row, 'boxes')) } satisfies DocumentLayout;
    },

    async addMessage(chatId, message) {
      transaction(() => {
        requireChat(chatId);
        statements.insertMessage.run(
          message.id,
          chatId,
          message.role,
          message.content,
          message.createdAt,
          message.status ?? null,
          message.query ?? null,
          json(message.sources),
          json(message.model),
          json(message.error),
        );
        statements.touchChat.run(message.createdAt, chatId);
      });
    },

    async listMessages(chatId) {
      return statements.listMessages.all(chatId).map(toMessage);
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
}

function migrate(db: DatabaseSync): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  const row = db.prepare('PRAGMA user_version').get();
  const version = typeof row?.user_version === 'number' ? row.user_version : 0;
  if (version > sqliteSchemaVersion) {
    throw new DocchatError(
      'internal',
      `The chat database was written by a newer docchat (schema ${version}); upgrade docchat or use another DOCCHAT_DATA_DIR.`,
    );
  }
  if (version === sqliteSchemaVersion) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const script of migrations.slice(version)) db.exec(script);
    db.exec(`PRAGMA user_version = ${sqliteSchemaVersion}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
