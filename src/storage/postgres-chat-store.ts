import { randomInt } from 'node:crypto';
import pg from 'pg';
import { DocchatError, type ErrorCode, errorCodes, toDocchatError } from '../core/errors.ts';
import { withOcrFlags } from '../core/ocr-pages.ts';
import type { Chunk, DocumentSummary, ModelInfo, Source, TextBox } from '../core/types.ts';
import type {
  ChatRecord,
  ChatStore,
  DocumentLayout,
  MessageRecord,
  MessageStatus,
  StoredDocument,
  StoredFile,
  UploadRecord,
} from './chat-store.ts';
import { isTerminatedConnection, toStorageError } from './postgres-errors.ts';
import { advisoryLocks, migratePostgres } from './postgres-migrations.ts';

/** Settings of {@link createPostgresChatStore}; see the README's configuration table. */
export interface PostgresChatStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq URL parameters such as `sslmode` work too). */
  url: string;
  /** Most connections this instance opens. */
  poolSize: number;
  /** How long to wait for a connection (new or from the pool) before failing with `storage_unavailable`. */
  connectTimeoutMs: number;
  /** Server-side limit of one statement. */
  statementTimeoutMs: number;
  /** What a `storage_unavailable` error tells clients to wait before retrying. */
  retryAfterSeconds: number;
  /** Receives errors of idle connections (e.g. the server restarted); the pool replaces them by itself. */
  onIdleError?: (error: Error) => void;
}

type Row = Record<string, unknown>;

// int8 (counts, epoch milliseconds, sequences) as JavaScript numbers: every value this store writes fits.
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

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

function optionalInteger(row: Row, column: string): number | null {
  const value = row[column];
  return typeof value === 'number' ? value : null;
}

function corrupt(column: string): DocchatError {
  return new DocchatError('internal', `The chat database has an unexpected value in column ${column}.`);
}

function vectorToBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

function bytesToVector(bytes: Uint8Array): Float32Array {
  // Copy: a Buffer's offset in its pool need not be 4-aligned, and the copy owns its memory.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** A string from its UTF-16LE code units, lone surrogates included. */
function utf16(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le');
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

function chatNotFound(): DocchatError {
  return new DocchatError('not_found', 'This chat does not exist (it may have been deleted or expired).');
}

function toSummary(row: Row): DocumentSummary {
  const readablePages = optionalInteger(row, 'readable_pages');
  return {
    id: text(row, 'id'),
    source: text(row, 'source'),
    kind: row.kind === 'pdf' ? 'pdf' : 'text',
    pages: optionalInteger(row, 'pages'),
    ...(readablePages === null ? {} : { readablePages }),
    chunks: integer(row, 'chunk_count'),
    characters: integer(row, 'characters'),
    ...(Array.isArray(row.ocr_pages) ? { ocrPages: row.ocr_pages as number[] } : {}),
  };
}

function toMessage(row: Row): MessageRecord {
  const message: MessageRecord = {
    id: text(row, 'id'),
    role: row.role === 'assistant' ? 'assistant' : 'user',
    content: text(row, 'content'),
    createdAt: integer(row, 'created_at'),
  };
  if (typeof row.status === 'string' && messageStatuses.has(row.status)) {
    message.status = row.status as MessageStatus;
  }
  if (typeof row.query === 'string') message.query = row.query;
  if (row.truncated === true) message.truncated = true;
  if (row.sources !== null && row.sources !== undefined) message.sources = row.sources as Source[];
  if (row.model !== null && row.model !== undefined) message.model = row.model as ModelInfo;
  if (row.error !== null && row.error !== undefined) {
    const parsed = row.error as { error?: unknown; message?: unknown };
    message.error = {
      error: isErrorCode(parsed.error) ? parsed.error : 'internal',
      message: typeof parsed.message === 'string' ? parsed.message : '',
    };
  }
  return message;
}

const messageStatuses = new Set<string>(['complete', 'stopped', 'error', 'streaming', 'interrupted']);

function toUpload(row: Row): UploadRecord {
  return {
    id: text(row, 'id'),
    source: text(row, 'source'),
    createdAt: integer(row, 'created_at'),
    status: row.status === 'failed' ? 'failed' : 'ingesting',
  };
}

/** Boxes as JSON arrays `[page, x, y, width, height, start, end]`, as the SQLite store keeps them. */
function boxesToJson(boxes: readonly TextBox[]): string {
  return JSON.stringify(
    boxes.map((box) => [box.page, box.x, box.y, box.width, box.height, box.start, box.end]),
  );
}

function boxesFromJson(value: unknown): TextBox[] {
  return (value as number[][]).map(([page = 0, x = 0, y = 0, width = 0, height = 0, start = 0, end = 0]) => ({
    page,
    x,
    y,
    width,
    height,
    start,
    end,
  }));
}

/** Rows whose owner holds no lease: the instance that wrote them is gone. */
const notLive = `(owner IS NULL OR owner NOT IN (
  SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
  WHERE locktype = 'advisory' AND objsubid = 1 AND granted
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())))`;

/** The rows that live instances own are left alone; anything else streaming or ingesting was cut off. */
const deadOwner = `(owner = $1 OR ${notLive})`;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

const documentColumns =
  'id, chat_id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters, embedder';

/**
 * A {@link ChatStore} in PostgreSQL (the `pg` client), so any number of docchat instances can share one
 * database: vectors are little-endian Float32 `bytea`, messages are numbered per chat by the database, the
 * expiry sweep runs on one instance at a time (an advisory lock) and the schema is migrated under an advisory
 * lock before the store is returned. A database outage fails calls with `storage_unavailable`; the pool
 * reconnects by itself once the database is back.
 */
export async function createPostgresChatStore(options: PostgresChatStoreOptions): Promise<ChatStore> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    // A query on a connection the server dropped without a word fails this long after the statement timeout.
    query_timeout: options.statementTimeoutMs + options.connectTimeoutMs,
    keepAlive: true,
    types,
    application_name: 'docchat',
  });
  // Without a listener an idle connection's error (a server restart) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));

  async function guard<T>(work: () => Promise<T>): Promise<T> {
    // Pooled connections the server closed while this process was busy still look idle; each fails once
    // with "terminating connection" and is dropped. Nothing ran on them, so the work is tried again.
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(isTerminatedConnection(error) && attempt < options.poolSize)) {
          throw toStorageError(error, options.retryAfterSeconds);
        }
      }
    }
  }

  const query = (sql: string, values?: unknown[]) => guard(() => pool.query<Row>(sql, values));

  /** Runs `work` in one transaction on one connection. */
  function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return guard(async () => {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  async function documentsOf(chatIds: readonly string[]): Promise<Map<string, DocumentSummary[]>> {
    const byChat = new Map<string, DocumentSummary[]>(chatIds.map((id) => [id, []]));
    if (chatIds.length === 0) return byChat;
    const { rows } = await query(
      `SELECT ${documentColumns} FROM documents WHERE chat_id = ANY($1) ORDER BY seq`,
      [chatIds],
    );
    for (const row of rows) byChat.get(text(row, 'chat_id'))?.push(toSummary(row));
    return byChat;
  }

  async function uploadsOf(chatIds: readonly string[]): Promise<Map<string, UploadRecord[]>> {
    const byChat = new Map<string, UploadRecord[]>(chatIds.map((id) => [id, []]));
    if (chatIds.length === 0) return byChat;
    const { rows } = await query(
      'SELECT id, chat_id, source, created_at, status FROM uploads WHERE chat_id = ANY($1) ORDER BY created_at, seq',
      [chatIds],
    );
    const uploads = rows.map((row) => ({ chatId: text(row, 'chat_id'), upload: toUpload(row) }));
    if (uploads.some(({ upload }) => upload.status === 'ingesting')) {
      const cut = await failDeadUploads(chatIds);
      for (const { upload } of uploads) if (cut.has(upload.id)) upload.status = 'failed';
    }
    for (const { chatId, upload } of uploads) byChat.get(chatId)?.push(upload);
    return byChat;
  }

  /**
   * An answer another instance was streaming when it died is `interrupted` as soon as someone reads the chat,
   * not only at the next start of an instance. Returns the ids of the messages marked.
   */
  async function interruptDeadStreams(chatId: string): Promise<Set<string>> {
    const { rows } = await query(
      `UPDATE messages SET status = 'interrupted'
       WHERE chat_id = $2 AND status = 'streaming' AND owner IS DISTINCT FROM $1 AND ${notLive} RETURNING id`,
      [ownerKey, chatId],
    );
    return new Set(rows.map((row) => text(row, 'id')));
  }

  /** The same for uploads a dead instance was ingesting: `failed` once read. */
  async function failDeadUploads(chatIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await query(
      `UPDATE uploads SET status = 'failed'
       WHERE chat_id = ANY($2) AND status = 'ingesting' AND owner IS DISTINCT FROM $1 AND ${notLive} RETURNING id`,
      [ownerKey, chatIds],
    );
    return new Set(rows.map((row) => text(row, 'id')));
  }

  async function toChats(rows: readonly Row[]): Promise<ChatRecord[]> {
    const ids = rows.map((row) => text(row, 'id'));
    const [documents, uploads] = await Promise.all([documentsOf(ids), uploadsOf(ids)]);
    return rows.map((row) => {
      const id = text(row, 'id');
      return {
        id,
        sessionId: text(row, 'session_id'),
        createdAt: integer(row, 'created_at'),
        updatedAt: integer(row, 'updated_at'),
        documents: documents.get(id) ?? [],
        uploads: uploads.get(id) ?? [],
      };
    });
  }

  // This instance's lock key: rows it is still writing carry it, so other instances know it is alive.
  const ownerKey = randomInt(1, 2 ** 47);
  const client = await guard(() => pool.connect());
  try {
    await migratePostgres(client);
  } catch (error) {
    client.release(true);
    await pool.end();
    throw toStorageError(error, options.retryAfterSeconds);
  }
  client.release();
  const lease = await holdLease(options, ownerKey).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });

  /** Marks streaming answers and ingesting uploads of dead instances (and of `self`, if given) as cut off. */
  async function recover(self: number): Promise<{ messages: number; uploads: number }> {
    return transaction(async (client) => {
      const messages = await client.query(
        `UPDATE messages SET status = 'interrupted' WHERE status = 'streaming' AND ${deadOwner}`,
        [self],
      );
      const uploads = await client.query(
        `UPDATE uploads SET status = 'failed' WHERE status = 'ingesting' AND ${deadOwner}`,
        [self],
      );
      return { messages: messages.rowCount ?? 0, uploads: uploads.rowCount ?? 0 };
    });
  }

  async function writeMessage(chatId: string, message: MessageRecord): Promise<void> {
    const { rowCount } = await query(
      `UPDATE messages SET role = $3, content = $4, created_at = $5, status = $6, query = $7, sources = $8,
         model = $9, error = $10, truncated = $11
       WHERE id = $1 AND chat_id = $2`,
      [
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
        message.truncated ? true : null,
      ],
    );
    if (rowCount === 0) {
      throw new DocchatError('not_found', 'This message does not exist (its chat may have been deleted).');
    }
  }

  /** Final answers an outage kept from being written, by message id; retried every `retryAfterSeconds`. */
  const unsaved = new Map<string, { chatId: string; message: MessageRecord }>();
  let unsavedTimer: NodeJS.Timeout | undefined;

  async function writeUnsaved(): Promise<void> {
    for (const [id, { chatId, message }] of unsaved) {
      try {
        await writeMessage(chatId, message);
        unsaved.delete(id);
      } catch (error) {
        if (error instanceof DocchatError && error.code === 'storage_unavailable') return;
        // The chat is gone (or the row is): nothing left to write it to.
        unsaved.delete(id);
      }
    }
  }

  function scheduleUnsaved(): void {
    if (unsavedTimer !== undefined) return;
    unsavedTimer = setTimeout(() => {
      writeUnsaved().finally(() => {
        unsavedTimer = undefined;
        if (unsaved.size > 0 && !pool.ended) scheduleUnsaved();
      });
    }, options.retryAfterSeconds * 1000);
    unsavedTimer.unref();
  }

  return {
    async createSession(session) {
      await query('INSERT INTO sessions (id, created_at, last_seen_at) VALUES ($1, $2, $3)', [
        session.id,
        session.createdAt,
        session.lastSeenAt,
      ]);
    },

    async getSession(sessionId) {
      const { rows } = await query('SELECT id, created_at, last_seen_at FROM sessions WHERE id = $1', [
        sessionId,
      ]);
      const row = rows[0];
      if (row === undefined) return null;
      return {
        id: text(row, 'id'),
        createdAt: integer(row, 'created_at'),
        lastSeenAt: integer(row, 'last_seen_at'),
      };
    },

    async touchSession(sessionId, lastSeenAt) {
      await query('UPDATE sessions SET last_seen_at = greatest(last_seen_at, $1) WHERE id = $2', [
        lastSeenAt,
        sessionId,
      ]);
    },

    async deleteSession(sessionId) {
      return transaction(async (client) => {
        const { rows } = await client.query<Row>('SELECT id FROM chats WHERE session_id = $1', [sessionId]);
        await client.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
        return rows.map((row) => text(row, 'id'));
      });
    },

    async deleteSessionsIdleSince(cutoff) {
      const chatIds = await transaction(async (client) => {
        // One sweep at a time across instances; the others skip, finding nothing left to do next time.
        const { rows: locked } = await client.query<Row>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
          advisoryLocks.sweep,
        ]);
        if (locked[0]?.locked !== true) return [];
        const { rows } = await client.query<Row>(
          'SELECT chats.id FROM chats JOIN sessions ON sessions.id = chats.session_id WHERE sessions.last_seen_at < $1',
          [cutoff],
        );
        await client.query('DELETE FROM sessions WHERE last_seen_at < $1', [cutoff]);
        return rows.map((row) => text(row, 'id'));
      });
      // An instance that crashed never restarts to recover its own rows: the sweep does it for them.
      await recover(-1);
      return chatIds;
    },

    async createChat(chat) {
      const { rows } = await query(
        `INSERT INTO chats (id, session_id, created_at, updated_at)
         SELECT $1, id, $3, $3 FROM sessions WHERE id = $2 RETURNING id`,
        [chat.id, chat.sessionId, chat.createdAt],
      );
      if (rows.length === 0) {
        throw new DocchatError('not_found', 'This session has expired; reload the page to start a new one.');
      }
      return { ...chat, updatedAt: chat.createdAt, documents: [], uploads: [] };
    },

    async listChats(sessionId) {
      const { rows } = await query(
        'SELECT id, session_id, created_at, updated_at FROM chats WHERE session_id = $1 ORDER BY updated_at DESC, created_at DESC, seq DESC',
        [sessionId],
      );
      return toChats(rows);
    },

    async getChat(sessionId, chatId) {
      const { rows } = await query(
        'SELECT id, session_id, created_at, updated_at FROM chats WHERE id = $1 AND session_id = $2',
        [chatId, sessionId],
      );
      return (await toChats(rows))[0] ?? null;
    },

    async deleteChat(sessionId, chatId) {
      const { rowCount } = await query('DELETE FROM chats WHERE id = $1 AND session_id = $2', [
        chatId,
        sessionId,
      ]);
      return (rowCount ?? 0) > 0;
    },

    async addDocument(chatId, document, now) {
      const { summary, chunks, vectors } = document;
      if (vectors !== null && vectors.length !== chunks.length) {
        throw new DocchatError('internal', 'A document must have exactly one vector per chunk.');
      }
      await transaction(async (client) => {
        // Locks the chat row: documents of one chat are added one after another, and bump its version.
        const { rowCount } = await client.query(
          'UPDATE chats SET updated_at = greatest(updated_at, $2), version = version + 1 WHERE id = $1',
          [chatId, now],
        );
        if (rowCount === 0) throw chatNotFound();
        await client.query(
          `INSERT INTO documents (id, chat_id, source, kind, pages, chunk_count, characters, embedder, created_at,
             idempotency_key, readable_pages, ocr_pages)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            summary.id,
            chatId,
            summary.source,
            summary.kind,
            summary.pages,
            summary.chunks,
            summary.characters,
            document.embedder,
            now,
            document.idempotencyKey ?? null,
            summary.readablePages ?? null,
            summary.ocrPages === undefined ? null : JSON.stringify(summary.ocrPages),
          ],
        );
        await client.query('DELETE FROM uploads WHERE id = $1 AND chat_id = $2', [summary.id, chatId]);
        if (document.file !== undefined) {
          await client.query(
            'INSERT INTO document_files (document_id, content_type, bytes) VALUES ($1, $2, $3)',
            [summary.id, document.file.contentType, Buffer.from(document.file.bytes)],
          );
        }
        if (document.layout !== undefined) {
          await client.query('INSERT INTO document_layouts (document_id, text, boxes) VALUES ($1, $2, $3)', [
            summary.id,
            document.layout.text,
            boxesToJson(document.layout.boxes),
          ]);
        }
        if (chunks.length === 0) return;
        // One statement for all chunks: arrays, unnested in order.
        await client.query(
          `INSERT INTO chunks (document_id, position, id, source, page, start_offset, end_offset, text, vector,
             section, text_utf16)
           SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::integer[], $6::integer[],
             $7::integer[], $8::text[], $9::bytea[], $10::jsonb[], $11::bytea[])`,
          [
            summary.id,
            chunks.map((_, position) => position),
            chunks.map((chunk) => chunk.id),
            chunks.map((chunk) => chunk.source),
            chunks.map((chunk) => chunk.page),
            chunks.map((chunk) => chunk.start),
            chunks.map((chunk) => chunk.end),
            chunks.map((chunk) => chunk.text.toWellFormed()),
            chunks.map((_, position) => {
              const vector = vectors?.[position];
              return vector === undefined ? null : vectorToBytes(vector);
            }),
            chunks.map((chunk) => json(chunk.section)),
            chunks.map((chunk) => (chunk.text.isWellFormed() ? null : Buffer.from(chunk.text, 'utf16le'))),
          ],
        );
      });
    },

    async loadDocuments(chatId, documentIds) {
      const { rows: documentRows } = await query(
        documentIds === undefined
          ? `SELECT ${documentColumns} FROM documents WHERE chat_id = $1 ORDER BY seq`
          : `SELECT ${documentColumns} FROM documents WHERE chat_id = $1 AND id = ANY($2) ORDER BY seq`,
        documentIds === undefined ? [chatId] : [chatId, documentIds],
      );
      if (documentRows.length === 0) return [];
      const { rows: chunkRows } = await query(
        `SELECT document_id, id, source, page, start_offset, end_offset, text, vector, section, text_utf16 FROM chunks
         WHERE document_id = ANY($1) ORDER BY document_id, position`,
        [documentRows.map((row) => text(row, 'id'))],
      );
      const chunksByDocument = new Map<string, Row[]>();
      for (const row of chunkRows) {
        const id = text(row, 'document_id');
        const list = chunksByDocument.get(id) ?? [];
        list.push(row);
        chunksByDocument.set(id, list);
      }
      return documentRows.map((row): StoredDocument => {
        const summary = toSummary(row);
        const rowsOfDocument = chunksByDocument.get(summary.id) ?? [];
        const chunks = withOcrFlags(
          rowsOfDocument.map(
            (chunk): Chunk => ({
              id: text(chunk, 'id'),
              documentId: summary.id,
              source: text(chunk, 'source'),
              page: optionalInteger(chunk, 'page'),
              start: integer(chunk, 'start_offset'),
              end: integer(chunk, 'end_offset'),
              text: chunk.text_utf16 instanceof Uint8Array ? utf16(chunk.text_utf16) : text(chunk, 'text'),
              ...(Array.isArray(chunk.section) ? { section: chunk.section as string[] } : {}),
            }),
          ),
          summary.ocrPages,
        );
        const blobs = rowsOfDocument.map((chunk) => chunk.vector);
        const complete = blobs.length > 0 && blobs.every((blob) => blob instanceof Uint8Array);
        return {
          summary,
          embedder: typeof row.embedder === 'string' ? row.embedder : null,
          chunks,
          vectors: complete ? blobs.map((blob) => bytesToVector(blob as Uint8Array)) : null,
        };
      });
    },

    async findDocumentByIdempotencyKey(chatId, idempotencyKey) {
      const { rows } = await query(
        `SELECT ${documentColumns} FROM documents WHERE chat_id = $1 AND idempotency_key = $2`,
        [chatId, idempotencyKey],
      );
      const row = rows[0];
      return row === undefined ? null : toSummary(row);
    },

    async getDocumentFile(chatId, documentId) {
      const { rows } = await query(
        `SELECT content_type, bytes FROM document_files JOIN documents ON documents.id = document_files.document_id
         WHERE documents.id = $1 AND documents.chat_id = $2`,
        [documentId, chatId],
      );
      const row = rows[0];
      if (row === undefined) return null;
      if (!(row.bytes instanceof Uint8Array)) throw corrupt('bytes');
      // A plain copy: a Buffer may be a view into a larger pool.
      return {
        contentType: text(row, 'content_type'),
        bytes: new Uint8Array(row.bytes),
      } satisfies StoredFile;
    },

    async getDocumentLayout(chatId, documentId) {
      const { rows } = await query(
        `SELECT text, boxes FROM document_layouts JOIN documents ON documents.id = document_layouts.document_id
         WHERE documents.id = $1 AND documents.chat_id = $2`,
        [documentId, chatId],
      );
      const row = rows[0];
      if (row === undefined) return null;
      return { text: text(row, 'text'), boxes: boxesFromJson(row.boxes) } satisfies DocumentLayout;
    },

    async beginUpload(chatId, upload) {
      const { rowCount } = await query(
        `INSERT INTO uploads (id, chat_id, source, created_at, status, owner)
         SELECT $1, id, $3, $4, 'ingesting', $5 FROM chats WHERE id = $2`,
        [upload.id, chatId, upload.source, upload.createdAt, ownerKey],
      );
      if (rowCount === 0) throw chatNotFound();
    },

    async discardUpload(chatId, uploadId) {
      await query('DELETE FROM uploads WHERE id = $1 AND chat_id = $2', [uploadId, chatId]);
    },

    async addMessage(chatId, message) {
      // One statement: the chat row's counter numbers the message, and concurrent writers on any instance
      // queue on that row's lock.
      const { rowCount } = await query(
        `WITH next AS (
           UPDATE chats SET last_message_seq = last_message_seq + 1, updated_at = greatest(updated_at, $2)
           WHERE id = $1 RETURNING last_message_seq
         )
         INSERT INTO messages (chat_id, seq, id, role, content, created_at, status, query, sources, model, error,
           owner, truncated)
         SELECT $1, last_message_seq, $3, $4, $5, $2, $6, $7, $8, $9, $10, $11, $12 FROM next`,
        [
          chatId,
          message.createdAt,
          message.id,
          message.role,
          message.content,
          message.status ?? null,
          message.query ?? null,
          json(message.sources),
          json(message.model),
          json(message.error),
          ownerKey,
          message.truncated ? true : null,
        ],
      );
      if (rowCount === 0) throw chatNotFound();
    },

    async updateMessage(chatId, message) {
      try {
        await writeMessage(chatId, message);
        unsaved.delete(message.id);
      } catch (error) {
        // The end of an answer the client has already seen is kept and written once the database is back.
        if (
          message.status !== 'streaming' &&
          error instanceof DocchatError &&
          error.code === 'storage_unavailable'
        ) {
          unsaved.set(message.id, { chatId, message });
          scheduleUnsaved();
        }
        throw error;
      }
    },

    async listMessages(chatId, listOptions = {}) {
      const columns = 'seq, id, role, content, created_at, status, query, sources, model, error, truncated';
      const { rows } =
        listOptions.last === undefined
          ? await query(`SELECT ${columns} FROM messages WHERE chat_id = $1 ORDER BY seq`, [chatId])
          : await query(
              `SELECT * FROM (SELECT ${columns} FROM messages WHERE chat_id = $1 ORDER BY seq DESC LIMIT $2) AS last
               ORDER BY seq`,
              [chatId, Math.max(0, Math.trunc(listOptions.last))],
            );
      const messages = rows.map(toMessage);
      if (messages.some((message) => message.status === 'streaming')) {
        const cut = await interruptDeadStreams(chatId);
        for (const message of messages) if (cut.has(message.id)) message.status = 'interrupted';
      }
      return messages;
    },

    recoverInterrupted: () => recover(ownerKey),

    async health() {
      try {
        await query('SELECT 1');
        return { status: 'ok' };
      } catch (error) {
        const failure = toDocchatError(error);
        return { status: 'error', error: failure.code, message: failure.message };
      }
    },

    async close() {
      clearTimeout(unsavedTimer);
      // A last try for answers an outage kept back.
      if (unsaved.size > 0 && !pool.ended) await writeUnsaved();
      await lease.close();
      if (!pool.ended) await pool.end();
    },
  };
}

/**
 * Holds the session-level advisory lock `key` on a connection of its own for as long as the store is open, so
 * that other instances see this one is alive (`pg_locks`). When the connection drops (a database restart) it
 * reconnects and takes the lock again, waiting `retryAfterSeconds` between attempts.
 */
async function holdLease(
  options: PostgresChatStoreOptions,
  key: number,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let current: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;

  async function acquire(): Promise<void> {
    const client = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: 'docchat-lease',
      keepAlive: true,
    });
    client.on('error', (error) => options.onIdleError?.(error));
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1)', [key]);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    // A lost connection emits `error`, then `end`: `end` reconnects.
    client.on('end', () => {
      if (current === client) current = null;
      if (!closed) schedule();
    });
    current = client;
  }

  function schedule(): void {
    clearTimeout(retry);
    retry = setTimeout(() => {
      acquire().catch(() => {
        if (!closed && current === null) schedule();
      });
    }, options.retryAfterSeconds * 1000);
    retry.unref();
  }

  try {
    await acquire();
  } catch (error) {
    closed = true;
    throw toStorageError(error, options.retryAfterSeconds);
  }
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await current?.end().catch(() => {});
    },
  };
}
