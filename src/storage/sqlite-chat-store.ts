import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DocchatError } from '../core/errors.ts';
import { withOcrFlags } from '../core/ocr-pages.ts';
import type {
  ChatRecord,
  ChatStore,
  DocumentLayout,
  SessionRecord,
  StoredDocument,
  StoredFile,
} from './chat-store.ts';
import { unpackContents } from './pack-contents.ts';
import { storageError } from './sqlite-errors.ts';
import {
  boxesFromJson,
  corrupt,
  integer,
  optionalInteger,
  optionalText,
  parseStrings,
  type Row,
  text,
  toMessage,
  toSummary,
  toUpload,
  withSections,
} from './sqlite-rows.ts';
import { defaultSqliteLimits, migrate, type SqliteLimits } from './sqlite-schema.ts';
import { prepareStatements } from './sqlite-statements.ts';
import {
  createSqliteWrites,
  packDocument,
  runWrite,
  transferablesOf,
  type WriteArgs,
  type WriteName,
  type WriteResult,
} from './sqlite-writes.ts';
import { type SqliteWriter, startSqliteWriter } from './start-sqlite-writer.ts';
import { encodingOf, storedBytes, storedText } from './stored-compression.ts';

/** An in-memory database has one connection, so its writes run on it, on the caller's thread. */
function inProcessWriter(db: DatabaseSync, path: string): SqliteWriter {
  const writes = createSqliteWrites(db, path);
  return {
    async run(name, args) {
      return runWrite(writes, path, name, args);
    },
    async close() {},
    health: () => ({ status: 'ok' }),
  };
}

/**
 * A {@link ChatStore} in one SQLite file (Node's built-in `node:sqlite`): WAL journal kept small, foreign keys
 * with cascading deletes, `secure_delete` and incremental vacuum so that deleted text is overwritten and its
 * space returned, one compact row of contents per document (`packContents`). Pass `':memory:'` for a
 * throwaway store. The parent directory is created if missing. Throws `internal` if the file was written by a
 * newer schema, `storage_corrupt` if it is not a database. Databases of schema 1 are migrated in place.
 *
 * The file is opened and migrated here, on the caller's thread, whose connection then only reads (WAL lets it
 * read beside the writer). Every write goes, in the order asked, to one writer thread with a connection of its
 * own (`startSqliteWriter`), so a document's transaction, a cascading delete or the expiry sweep never blocks
 * the caller's event loop. A read issued after a write's promise resolved sees that write. `':memory:'` has no
 * second connection: it writes on the caller's thread.
 */
export function createSqliteChatStore(options: { path: string; limits?: SqliteLimits }): ChatStore {
  const { path } = options;
  const limits = options.limits ?? defaultSqliteLimits;
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  } catch (error) {
    throw storageError(error, path) ?? error;
  }
  try {
    migrate(db, limits);
    // From here on this connection only reads: a write here would wait on the writer thread's lock.
    if (!inMemory) db.exec('PRAGMA query_only = ON');
  } catch (error) {
    db.close();
    throw storageError(error, path) ?? error;
  }
  const statements = prepareStatements(db);
  const writer = inMemory ? inProcessWriter(db, path) : startSqliteWriter({ path, limits });

  /** Set once the file was found damaged (by a read here or a write there): every later call fails the same way. */
  let damage: DocchatError | undefined;

  function noted(error: unknown): unknown {
    if (error instanceof DocchatError && error.code === 'storage_corrupt') damage = error;
    return error;
  }

  /** Runs one read, turning SQLite's corruption and disk-full failures into their error codes. */
  function guarded<T>(work: () => T): T {
    if (damage !== undefined) throw damage;
    try {
      return work();
    } catch (error) {
      throw noted(storageError(error, path) ?? error);
    }
  }

  /** Decompresses what a read returned; a value that does not inflate marks the store damaged, as a read would. */
  async function inflated<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw noted(error);
    }
  }

  /** Runs one write on the writer; its errors arrive already mapped to their codes. */
  async function write<K extends WriteName>(
    name: K,
    args: WriteArgs<K>,
    transfer?: ArrayBuffer[],
  ): Promise<WriteResult<K>> {
    if (damage !== undefined) throw damage;
    try {
      return await writer.run(name, args, transfer);
    } catch (error) {
      throw noted(error);
    }
  }

  /** Reads that take several statements see one state of the file: the writer may commit between two of them. */
  function snapshot<T>(work: () => T): T {
    db.exec('BEGIN');
    try {
      return work();
    } finally {
      if (db.isTransaction) db.exec('COMMIT');
    }
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

  /** A document's row and its contents row, read in one snapshot; {@link toStoredDocument} unpacks them. */
  function readStoredDocument(row: Row): { row: Row; contents: Row } {
    const contents = statements.contentsOfDocument.get(text(row, 'id'));
    if (contents === undefined) throw corrupt('document_contents');
    return { row, contents };
  }

  async function toStoredDocument({ row, contents }: { row: Row; contents: Row }): Promise<StoredDocument> {
    const summary = toSummary(row);
    const layout = contents.layout;
    const vectors = contents.vectors;
    if (!(layout instanceof Uint8Array)) throw corrupt('layout');
    const unpacked = unpackContents(summary.id, summary.source, {
      text: await storedText(
        contents.text,
        encodingOf(contents.encoding, 'document_contents.encoding'),
        'document_contents.text',
      ),
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

  return {
    async createSession(session) {
      await write('createSession', [session]);
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
      await write('touchSession', [sessionId, lastSeenAt]);
    },

    async deleteSession(sessionId) {
      return write('deleteSession', [sessionId]);
    },

    async deleteSessionsIdleSince(cutoff) {
      return write('deleteSessionsIdleSince', [cutoff]);
    },

    async createChat(chat) {
      await write('createChat', [chat]);
      return { ...chat, updatedAt: chat.createdAt, documents: [], uploads: [] };
    },

    async listChats(sessionId) {
      return guarded(() => snapshot(() => statements.listChats.all(sessionId).map(toChat)));
    },

    async getChat(sessionId, chatId) {
      return guarded(() =>
        snapshot(() => {
          const row = statements.getChat.get(chatId, sessionId);
          return row === undefined ? null : toChat(row);
        }),
      );
    },

    async deleteChat(sessionId, chatId) {
      return write('deleteChat', [sessionId, chatId]);
    },

    async addDocument(chatId, document, now) {
      const packed = await packDocument(document);
      await write('addDocument', [chatId, packed, now], transferablesOf(packed));
    },

    async loadDocuments(chatId, documentIds) {
      const wanted = documentIds === undefined ? null : new Set(documentIds);
      const rows = guarded(() =>
        snapshot(() =>
          statements.documentSummaries
            .all(chatId)
            .filter((row) => wanted === null || wanted.has(text(row, 'id')))
            .map(readStoredDocument),
        ),
      );
      return inflated(() => Promise.all(rows.map(toStoredDocument)));
    },

    async findDocumentByIdempotencyKey(chatId, idempotencyKey) {
      return guarded(() => {
        const row = statements.documentByKey.get(chatId, idempotencyKey);
        return row === undefined ? null : toSummary(row);
      });
    },

    async beginUpload(chatId, upload) {
      await write('beginUpload', [chatId, upload]);
    },

    async discardUpload(chatId, uploadId) {
      await write('discardUpload', [chatId, uploadId]);
    },

    async getDocumentFile(chatId, documentId) {
      const row = guarded(() => statements.getFile.get(documentId, chatId));
      if (row === undefined) return null;
      return inflated(async () => {
        const encoding = encodingOf(row.encoding, 'document_files.encoding');
        const bytes = await storedBytes(row.bytes, encoding, 'document_files.bytes');
        return { contentType: text(row, 'content_type'), bytes } satisfies StoredFile;
      });
    },

    async getDocumentLayout(chatId, documentId) {
      const row = guarded(() => statements.getLayout.get(documentId, chatId));
      if (row === undefined) return null;
      return inflated(async () => {
        const encoding = encodingOf(row.encoding, 'document_layouts.encoding');
        const [layoutText, boxes] = await Promise.all([
          storedText(row.text, encoding, 'document_layouts.text'),
          storedText(row.boxes, encoding, 'document_layouts.boxes'),
        ]);
        return { text: layoutText, boxes: boxesFromJson(boxes) } satisfies DocumentLayout;
      });
    },

    async addMessage(chatId, message) {
      await write('addMessage', [chatId, message]);
    },

    async updateMessage(chatId, message) {
      await write('updateMessage', [chatId, message]);
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
      return write('recoverInterrupted', []);
    },

    async health() {
      if (damage !== undefined) return { status: 'error', error: damage.code, message: damage.message };
      return writer.health();
    },

    async close() {
      // The writer first: the writes already asked for are kept.
      await writer.close();
      if (db.isOpen) db.close();
    },
  };
}
