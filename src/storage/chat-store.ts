import type { ErrorCode } from '../core/errors.ts';
import type { Chunk, DocumentSummary, ModelInfo, Source, TextBox } from '../core/types.ts';

/** A browser session. `id` is what the store keys on (the server passes a hash of the cookie, never the cookie). */
export interface SessionRecord {
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last request seen; sessions idle longer than the TTL are deleted. */
  lastSeenAt: number;
}

/** A chat and the summaries of its documents, in upload order. */
export interface ChatRecord {
  id: string;
  sessionId: string;
  createdAt: number;
  updatedAt: number;
  documents: DocumentSummary[];
  /** Uploads that are not documents (yet): being ingested, or `failed` because the server stopped mid-way. */
  uploads: UploadRecord[];
}

/** An upload the store knows of before its document is stored (see {@link ChatStore.beginUpload}). */
export interface UploadRecord {
  /** The id its document will have. */
  id: string;
  source: string;
  createdAt: number;
  /** `failed`: the server stopped while ingesting it ({@link ChatStore.recoverInterrupted}). */
  status: 'ingesting' | 'failed';
}

/** One ingested document with everything needed to rebuild its part of a search index. */
export interface StoredDocument {
  summary: DocumentSummary;
  /** Name of the embedder that made `vectors` (`null` when the pipeline runs without one). */
  embedder: string | null;
  chunks: Chunk[];
  /** One vector per chunk, in chunk order, or `null` when there is no embedder. */
  vectors: Float32Array[] | null;
  /** The client's `Idempotency-Key` of the upload, unique per chat (see {@link ChatStore.findDocumentByIdempotencyKey}). */
  idempotencyKey?: string;
  /** The file as uploaded, kept to show the original; absent when there is none (not kept by `loadDocuments`). */
  file?: StoredFile;
  /** The document's text and text positions, for the viewer; absent when there is none (not kept by `loadDocuments`). */
  layout?: DocumentLayout;
}

/** The original bytes of an uploaded document and the media type to serve them with. */
export interface StoredFile {
  /** E.g. `application/pdf` or `text/plain; charset=utf-8`. */
  contentType: string;
  bytes: Uint8Array;
}

/** What the viewer needs to place a passage in its document: the text that offsets point into, and its boxes. */
export interface DocumentLayout {
  text: string;
  /** Where each run of `text` lies on its page, in text order; empty for documents without pages. */
  boxes: TextBox[];
}

/**
 * How an assistant message ended: `streaming` while it is being written (stored as it streams), `interrupted`
 * when the server stopped before it ended (set by {@link ChatStore.recoverInterrupted}).
 */
export type MessageStatus = 'complete' | 'stopped' | 'error' | 'streaming' | 'interrupted';

/** Whether the storage can be used; `error` carries the code requests fail with (e.g. `storage_corrupt`). */
export type StoreHealth = { status: 'ok' } | { status: 'error'; error: ErrorCode; message: string };

/** One message of a chat as stored and as returned by the API (times in epoch milliseconds). */
export interface MessageRecord {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  sources?: Source[];
  query?: string;
  model?: ModelInfo;
  status?: MessageStatus;
  error?: { error: ErrorCode; message: string };
  /** The answer was cut off at its length limit (`max_tokens`). */
  truncated?: boolean;
}

/**
 * Persistence for sessions, chats, documents (chunks and vectors) and messages. Deleting a session or a chat
 * deletes everything it owns for real. Methods that take a `chatId` without a `sessionId` trust the caller to
 * have checked ownership with {@link ChatStore.getChat}; writes to a chat that no longer exists throw
 * `DocchatError('not_found')`.
 */
export interface ChatStore {
  createSession(session: SessionRecord): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | null>;
  touchSession(sessionId: string, lastSeenAt: number): Promise<void>;
  /** Deletes a session and all it owns; returns the ids of the chats deleted. */
  deleteSession(sessionId: string): Promise<string[]>;
  /** Deletes every session idle since before `cutoff` (epoch ms); returns the ids of the chats deleted. */
  deleteSessionsIdleSince(cutoff: number): Promise<string[]>;

  createChat(chat: { id: string; sessionId: string; createdAt: number }): Promise<ChatRecord>;
  /** The session's chats, most recently updated first. */
  listChats(sessionId: string): Promise<ChatRecord[]>;
  /** The chat if it exists and belongs to the session, otherwise `null`. */
  getChat(sessionId: string, chatId: string): Promise<ChatRecord | null>;
  /** Deletes the chat and all it owns; false when it does not exist or belongs to another session. */
  deleteChat(sessionId: string, chatId: string): Promise<boolean>;

  /**
   * Appends a document (with its chunks and vectors) to a chat, atomically; the upload with the document's id
   * (if any) goes in the same transaction. Two documents of a chat never share an `idempotencyKey`.
   */
  addDocument(chatId: string, document: StoredDocument, now: number): Promise<void>;
  /**
   * Every document of a chat with chunks and vectors, in upload order (without `file` and `layout`); with
   * `documentIds`, only those of them (an instance catching up with documents another instance added).
   */
  loadDocuments(chatId: string, documentIds?: readonly string[]): Promise<StoredDocument[]>;
  /** The chat's document stored with this `Idempotency-Key`, or `null`. */
  findDocumentByIdempotencyKey(chatId: string, idempotencyKey: string): Promise<DocumentSummary | null>;

  /** Records an upload as `ingesting` before its document exists, so a crash leaves a trace. */
  beginUpload(chatId: string, upload: { id: string; source: string; createdAt: number }): Promise<void>;
  /** Forgets an upload record (ingestion failed or was cancelled, or the user dismissed a failed one). */
  discardUpload(chatId: string, uploadId: string): Promise<void>;
  /** The original file of a chat's document; `null` when the chat has no such document or it has no file. */
  getDocumentFile(chatId: string, documentId: string): Promise<StoredFile | null>;
  /** The text and text positions of a chat's document; `null` when the chat has no such document or none were kept. */
  getDocumentLayout(chatId: string, documentId: string): Promise<DocumentLayout | null>;

  /** Appends a message to a chat. */
  addMessage(chatId: string, message: MessageRecord): Promise<void>;
  /** Replaces the stored message with the same id (a streaming answer's progress); `not_found` if missing. */
  updateMessage(chatId: string, message: MessageRecord): Promise<void>;
  /** The chat's messages in the order they were added; with `last`, only the last that many. */
  listMessages(chatId: string, options?: { last?: number }): Promise<MessageRecord[]>;

  /**
   * Call once at start, before serving: what a crash cut off becomes visible as such. `streaming` messages
   * become `interrupted`, `ingesting` uploads become `failed`. Returns how many of each.
   */
  recoverInterrupted(): Promise<{ messages: number; uploads: number }>;
  /** Whether the storage is usable: `storage_corrupt` once damage was seen, until restart. */
  health(): Promise<StoreHealth>;

  close(): Promise<void>;
}
