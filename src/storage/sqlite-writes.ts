import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { DocchatError } from '../core/errors.ts';
import type { DocumentSummary } from '../core/types.ts';
import type { MessageRecord, SessionRecord, StoredDocument, StoredFile } from './chat-store.ts';
import { type PackedContents, packContents } from './pack-contents.ts';
import { chatNotFound, storageError } from './sqlite-errors.ts';
import { boxesToJson, ids, sectionsJson } from './sqlite-rows.ts';
import { inTransaction } from './sqlite-schema.ts';
import { prepareStatements } from './sqlite-statements.ts';
import { deflateBytes, deflateText, isCompressible, type StoredEncoding } from './stored-compression.ts';

/**
 * A document in the form the writer stores it, made on the caller's thread by {@link packDocument}: its large
 * values already compressed (`stored-compression.ts`) into fresh buffers, so they can be transferred to the
 * writer thread instead of copied.
 */
export interface PackedDocument {
  summary: DocumentSummary;
  embedder: string | null;
  idempotencyKey: string | null;
  /** The packed chunks and vectors, their text deflated. */
  contents: Omit<PackedContents, 'text'> & { text: Uint8Array };
  /** The chunks' section paths as stored (see `sectionsJson`). */
  sections: string | null;
  /** The original file, deflated when its media type is not compressed already. */
  file: (StoredFile & { encoding: StoredEncoding }) | null;
  /** The viewer's text and its boxes (as the stored JSON), both deflated. */
  layout: { text: Uint8Array; boxes: Uint8Array } | null;
}

/** Packs a document for {@link SqliteWrites.addDocument}; throws `internal` unless it has one vector per chunk. */
export async function packDocument(document: StoredDocument): Promise<PackedDocument> {
  const { summary, chunks, vectors, file, layout } = document;
  if (vectors !== null && vectors.length !== chunks.length) {
    throw new DocchatError('internal', 'A document must have exactly one vector per chunk.');
  }
  const contents = packContents(summary.id, summary.source, chunks, vectors);
  const fileDeflated = file !== undefined && isCompressible(file.contentType);
  const [text, fileBytes, layoutText, layoutBoxes] = await Promise.all([
    deflateText(contents.text),
    // A copy of its own when not compressed (a Node Buffer may be a view into a larger pool): transferring it
    // detaches only ours.
    file === undefined ? null : fileDeflated ? deflateBytes(file.bytes) : new Uint8Array(file.bytes),
    layout === undefined ? null : deflateText(layout.text),
    layout === undefined ? null : deflateText(boxesToJson(layout.boxes)),
  ]);
  return {
    summary,
    embedder: document.embedder,
    idempotencyKey: document.idempotencyKey ?? null,
    contents: { ...contents, text },
    sections: sectionsJson(chunks),
    file:
      file === undefined || fileBytes === null
        ? null
        : { contentType: file.contentType, bytes: fileBytes, encoding: fileDeflated ? 'deflate' : null },
    layout: layoutText === null || layoutBoxes === null ? null : { text: layoutText, boxes: layoutBoxes },
  };
}

/** The buffers of a packed document that nothing else holds, for `postMessage`'s transfer list. */
export function transferablesOf(document: PackedDocument): ArrayBuffer[] {
  const buffers = [
    document.contents.text.buffer,
    document.contents.layout.buffer,
    document.contents.vectors?.buffer,
    document.file?.bytes.buffer,
    document.layout?.text.buffer,
    document.layout?.boxes.buffer,
  ];
  return buffers.filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
}

/**
 * Every write of the SQLite store, synchronous, on one connection: the writer thread runs them (an in-memory
 * store runs them on its only connection). Reads are not here: they stay on the caller's thread.
 */
export interface SqliteWrites {
  createSession(session: SessionRecord): void;
  touchSession(sessionId: string, lastSeenAt: number): void;
  deleteSession(sessionId: string): string[];
  deleteSessionsIdleSince(cutoff: number): string[];
  createChat(chat: { id: string; sessionId: string; createdAt: number }): void;
  deleteChat(sessionId: string, chatId: string): boolean;
  addDocument(chatId: string, document: PackedDocument, now: number): void;
  beginUpload(chatId: string, upload: { id: string; source: string; createdAt: number }): void;
  discardUpload(chatId: string, uploadId: string): void;
  addMessage(chatId: string, message: MessageRecord): void;
  updateMessage(chatId: string, message: MessageRecord): void;
  recoverInterrupted(): { messages: number; uploads: number };
}

/** The name of one write. */
export type WriteName = keyof SqliteWrites;
/** The arguments of write `K`. */
export type WriteArgs<K extends WriteName> = Parameters<SqliteWrites[K]>;
/** What write `K` returns. */
export type WriteResult<K extends WriteName> = ReturnType<SqliteWrites[K]>;

/** Runs one write, turning SQLite's corruption and disk-full failures into their `DocchatError` codes. */
export function runWrite<K extends WriteName>(
  writes: SqliteWrites,
  path: string,
  name: K,
  args: WriteArgs<K>,
): WriteResult<K> {
  const write = writes[name] as (...values: WriteArgs<K>) => WriteResult<K>;
  try {
    return write(...args);
  } catch (error) {
    throw storageError(error, path) ?? error;
  }
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

/** The {@link SqliteWrites} of one connection (its per-connection settings already made). */
export function createSqliteWrites(db: DatabaseSync, path: string): SqliteWrites {
  const statements = prepareStatements(db);
  const transaction = <T>(work: () => T): T => inTransaction(db, work);

  /** After a delete: freed pages go back to the file system and the WAL (old page images) is emptied. */
  function reclaimSpace(): void {
    db.exec('PRAGMA incremental_vacuum');
    if (path !== ':memory:') db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  function requireChat(chatId: string): void {
    if (statements.chatExists.get(chatId) === undefined) throw chatNotFound();
  }

  return {
    createSession(session) {
      statements.insertSession.run(session.id, session.createdAt, session.lastSeenAt);
    },

    touchSession(sessionId, lastSeenAt) {
      statements.touchSession.run(lastSeenAt, sessionId);
    },

    deleteSession(sessionId) {
      const chatIds = transaction(() => {
        const found = ids(statements.chatIdsOfSession.all(sessionId));
        statements.deleteSession.run(sessionId);
        return found;
      });
      reclaimSpace();
      return chatIds;
    },

    deleteSessionsIdleSince(cutoff) {
      const { chatIds, sessions } = transaction(() => {
        const found = ids(statements.chatIdsIdleSince.all(cutoff));
        const deleted = Number(statements.deleteSessionsIdleSince.run(cutoff).changes);
        return { chatIds: found, sessions: deleted };
      });
      if (sessions > 0) reclaimSpace();
      return chatIds;
    },

    createChat(chat) {
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
    },

    deleteChat(sessionId, chatId) {
      const deleted = Number(statements.deleteChat.run(chatId, sessionId).changes) > 0;
      if (deleted) reclaimSpace();
      return deleted;
    },

    addDocument(chatId, document, now) {
      const { summary, contents } = document;
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
          document.idempotencyKey,
        );
        statements.insertContents.run(
          summary.id,
          contents.text,
          contents.layout,
          json(contents.ids ?? undefined),
          json(contents.sources ?? undefined),
          contents.dimensions,
          contents.vectors,
          document.sections,
          'deflate',
        );
        const { file, layout } = document;
        if (file !== null) statements.insertFile.run(summary.id, file.contentType, file.bytes, file.encoding);
        if (layout !== null) statements.insertLayout.run(summary.id, layout.text, layout.boxes, 'deflate');
        statements.deleteUpload.run(summary.id, chatId);
        statements.touchChat.run(now, chatId);
      });
    },

    beginUpload(chatId, upload) {
      transaction(() => {
        requireChat(chatId);
        statements.insertUpload.run(upload.id, chatId, upload.source, upload.createdAt);
      });
    },

    discardUpload(chatId, uploadId) {
      statements.deleteUpload.run(uploadId, chatId);
    },

    addMessage(chatId, message) {
      transaction(() => {
        requireChat(chatId);
        statements.insertMessage.run(message.id, chatId, ...messageValues(message));
        statements.touchChat.run(message.createdAt, chatId);
      });
    },

    updateMessage(chatId, message) {
      transaction(() => {
        const changes = statements.updateMessage.run(...messageValues(message), message.id, chatId).changes;
        if (Number(changes) === 0) throw chatNotFound();
        statements.touchChat.run(message.createdAt, chatId);
      });
    },

    recoverInterrupted() {
      return transaction(() => ({
        messages: Number(statements.interruptMessages.run().changes),
        uploads: Number(statements.failUploads.run().changes),
      }));
    },
  };
}
