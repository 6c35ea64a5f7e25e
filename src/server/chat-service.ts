import { randomUUID } from 'node:crypto';
import { DocchatError, throwIfAborted, toDocchatError } from '../core/errors.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage, DocumentSummary } from '../core/types.ts';
import type { Rag } from '../pipeline/create-rag.ts';
import type { SearchIndex } from '../retrieval/search-index.ts';
import type {
  ChatRecord,
  ChatStore,
  DocumentLayout,
  MessageRecord,
  StoredDocument,
  StoredFile,
} from '../storage/chat-store.ts';
import type { IndexCache } from './index-cache.ts';
import type { Logger } from './logger.ts';
import { originalContentType } from './original-content-type.ts';
import { createQuotaGuard, type QuotaGuard, type SessionUsage, unlimitedQuotas } from './quotas.ts';
import type { Upload } from './read-upload.ts';

/** What the HTTP routes call: chats, uploads and questions of one session, persisted in the store. */
export interface ChatService {
  listChats(sessionId: string): Promise<ChatRecord[]>;
  createChat(sessionId: string): Promise<ChatRecord>;
  /** The chat with its messages; `not_found` when it is not this session's. */
  getChat(sessionId: string, chatId: string): Promise<{ chat: ChatRecord; messages: MessageRecord[] }>;
  /** Forgets a chat for real; `not_found` when it is not this session's. */
  deleteChat(sessionId: string, chatId: string): Promise<void>;
  /** Forgets a session and everything it owns. */
  forgetSession(sessionId: string): Promise<void>;
  /** Deletes sessions idle longer than the TTL; returns how many chats went with them. */
  sweepExpiredSessions(): Promise<number>;
  /** Checks that the chat is this session's; `not_found` otherwise. Call before reading an upload's body. */
  requireChat(sessionId: string, chatId: string): Promise<ChatRecord>;
  /**
   * Ingests one file into a chat and stores it. `onProgress` receives the `progress` events. An abort (or a
   * failure) leaves nothing behind; a crash leaves a `failed` upload. With an `idempotencyKey` that is being
   * ingested already, waits for that upload's document instead of making a second one.
   */
  ingest(
    sessionId: string,
    chatId: string,
    upload: Upload,
    options: { signal: AbortSignal; onProgress?: (event: RagEvent) => void; idempotencyKey?: string },
  ): Promise<DocumentSummary>;
  /** The chat's document uploaded with this `Idempotency-Key`, or `null`; `not_found` when not this session's. */
  findDocument(sessionId: string, chatId: string, idempotencyKey: string): Promise<DocumentSummary | null>;
  /** Forgets a failed upload of the chat; `not_found` when the chat is not this session's. */
  discardUpload(sessionId: string, chatId: string, uploadId: string): Promise<void>;
  /**
   * Checks the chat, stores the user's question and returns the answer's event stream. The assistant's message
   * is stored as `streaming` at once and as it streams (at most every `answerSaveIntervalMs`), then with how
   * it ended: `complete`, `stopped` (aborted, with the partial text) or `error`; a crash leaves `interrupted`.
   */
  ask(
    sessionId: string,
    chatId: string,
    question: string,
    options: { signal: AbortSignal },
  ): Promise<AsyncGenerator<RagEvent>>;
  /** The original file of a chat's document; `not_found` when it is not this session's. */
  documentFile(sessionId: string, chatId: string, documentId: string): Promise<StoredFile>;
  /** The text and text positions of a chat's document; `not_found` when it is not this session's. */
  documentLayout(sessionId: string, chatId: string, documentId: string): Promise<DocumentLayout>;
  /** Aborts every upload and answer in flight and waits until their messages are stored. */
  close(): Promise<void>;
}

/** Dependencies of {@link createChatService}. */
export interface ChatServiceOptions {
  rag: Rag;
  store: ChatStore;
  indexes: IndexCache;
  now: () => number;
  sessionTtlMs: number;
  logger: Logger;
  /** Per-session quotas; none by default. */
  quotas?: QuotaGuard;
  /** The last messages of a chat read for each question (the pipeline sends the model fewer). Default 20. */
  historyMessages?: number;
  /** How often a streaming answer's text is written to the store. Default {@link defaultAnswerSaveIntervalMs}. */
  answerSaveIntervalMs?: number;
}

function chatNotFound(): DocchatError {
  return new DocchatError('not_found', 'This chat does not exist (it may have been deleted or expired).');
}

/** How often a streaming answer's text is written to the store, so that a crash loses at most this much. */
export const defaultAnswerSaveIntervalMs = 1000;

/**
 * The conversation so far in the model's terms, in alternating turns: failed or unfinished answers add nothing
 * the model should build on, and a question left without an answer goes with it (the next question follows).
 */
export function toHistory(messages: readonly MessageRecord[]): ChatMessage[] {
  const history: ChatMessage[] = [];
  for (const message of messages) {
    if (message.content.trim() === '' || message.status === 'error' || message.status === 'streaming')
      continue;
    if (history.at(-1)?.role === message.role) history.pop();
    history.push({ role: message.role, content: message.content });
  }
  if (history.at(-1)?.role === 'user') history.pop();
  return history;
}

function documentNotFound(): DocchatError {
  return new DocchatError(
    'not_found',
    'This document does not exist in this chat (or its original was not kept).',
  );
}

/** Makes the {@link ChatService} over a store, a RAG core and an index cache. */
export function createChatService(options: ChatServiceOptions): ChatService {
  const { rag, store, indexes, now, logger } = options;
  const quotas = options.quotas ?? createQuotaGuard(unlimitedQuotas, now);
  const historyMessages = options.historyMessages ?? 20;
  const answerSaveIntervalMs = options.answerSaveIntervalMs ?? defaultAnswerSaveIntervalMs;
  const inFlight = new Map<AbortController, Promise<void>>();
  /** Uploads in progress by `chatId` and `Idempotency-Key`, so that a retry waits for the first. */
  const keyedUploads = new Map<string, Promise<DocumentSummary>>();
  let closing = false;

  /** An abort signal that follows `signal` and that {@link ChatService.close} can fire; call `release` when done. */
  function register(signal: AbortSignal): { signal: AbortSignal; release: () => void } {
    if (closing) throw new DocchatError('internal', 'The server is shutting down; try again in a moment.');
    const controller = new AbortController();
    const follow = () => controller.abort(signal.reason);
    if (signal.aborted) follow();
    else signal.addEventListener('abort', follow, { once: true });
    let release = () => {};
    inFlight.set(
      controller,
      new Promise<void>((resolve) => {
        release = () => {
          signal.removeEventListener('abort', follow);
          inFlight.delete(controller);
          resolve();
        };
      }),
    );
    return { signal: controller.signal, release };
  }

  async function requireChat(sessionId: string, chatId: string): Promise<ChatRecord> {
    const chat = await store.getChat(sessionId, chatId);
    if (chat === null) throw chatNotFound();
    return chat;
  }

  async function usageOf(sessionId: string): Promise<SessionUsage> {
    const chats = await store.listChats(sessionId);
    let documents = 0;
    let bytes = 0;
    for (const chat of chats) {
      documents += chat.documents.length;
      for (const document of chat.documents) bytes += document.characters;
    }
    return { chats: chats.length, documents, bytes };
  }

  async function forgetChats(chatIds: readonly string[]): Promise<void> {
    for (const chatId of chatIds) indexes.delete(chatId);
  }

  /** Stores an answer's progress; a failure is logged, never thrown into the answer's stream. */
  async function save(chatId: string, message: MessageRecord): Promise<void> {
    try {
      await store.updateMessage(chatId, message);
    } catch (error) {
      // The chat was deleted while answering: there is nothing left to store the answer in.
      if (!(error instanceof DocchatError && error.code === 'not_found')) {
        logger.error('message_not_stored', { chatId, error: String(error) });
      }
    }
  }

  async function* answer(
    chatId: string,
    events: AsyncGenerator<RagEvent>,
    signal: AbortSignal,
    finished: () => void,
    message: MessageRecord,
  ): AsyncGenerator<RagEvent> {
    let outcome: 'complete' | 'error' | undefined;
    let savedAt = performance.now();
    try {
      for await (const event of events) {
        if (event.type === 'sources') {
          message.query = event.query;
          message.model = event.model;
          message.sources = event.sources;
        } else if (event.type === 'text-delta') {
          message.content += event.delta;
        } else if (event.type === 'done') {
          message.content = event.answer;
          message.model = event.model;
          if (event.finishReason === 'length') message.truncated = true;
          outcome = 'complete';
        } else if (event.type === 'error' && !signal.aborted) {
          message.error = { error: event.error, message: event.message };
          outcome = 'error';
        }
        if (signal.aborted) break;
        if (event.type === 'sources' || performance.now() - savedAt >= answerSaveIntervalMs) {
          await save(chatId, message);
          savedAt = performance.now();
        }
        yield event;
      }
    } finally {
      // An answer that neither completed nor failed was stopped: by the client, or by shutdown.
      message.status = outcome ?? 'stopped';
      message.createdAt = Math.max(message.createdAt, now());
      await save(chatId, message);
      finished();
    }
  }

  async function ingestOnce(
    sessionId: string,
    chatId: string,
    upload: Upload,
    options: { signal: AbortSignal; onProgress?: (event: RagEvent) => void; idempotencyKey?: string },
  ): Promise<DocumentSummary> {
    const { signal, onProgress, idempotencyKey } = options;
    const chat = await requireChat(sessionId, chatId);
    const releaseQuota = quotas.reserveUpload(sessionId, await usageOf(sessionId), upload.input.data.length);
    const { signal: tracked, release } = register(signal);
    const documentId = randomUUID();
    let stored = false;
    // The parser pool counts this upload as in progress until it is stored and indexed (DOCCHAT_MAX_INGESTING).
    const done = Promise.withResolvers<void>();
    try {
      // Recorded first, so that a crash while ingesting leaves a `failed` upload rather than nothing.
      await store.beginUpload(chatId, { id: documentId, source: upload.input.name, createdAt: now() });
      // A scratch index: the chat's live index only ever receives documents that were stored completely. Only
      // a first document is indexed there (it becomes the live index); a later one is indexed once, by the
      // cache, into the live index.
      const first = chat.documents.length === 0;
      const scratch = rag.createIndex();
      const result = await rag.ingest(upload.input, scratch, {
        ...(upload.password === undefined ? {} : { password: upload.password }),
        signal: tracked,
        queueKey: sessionId,
        heldUntil: done.promise,
        addToIndex: first,
        documentId,
        onEvent: (event) => {
          if (event.type === 'progress') onProgress?.(event);
        },
      });
      throwIfAborted(tracked);
      const document: StoredDocument = {
        summary: result.summary,
        embedder: rag.embedderName,
        chunks: result.chunks,
        vectors: result.vectors,
        file: { contentType: originalContentType(result.document), bytes: upload.input.data },
        layout: { text: result.document.text, boxes: result.document.textBoxes ?? [] },
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      };
      await store.addDocument(chatId, document, now());
      stored = true;
      await indexes.addDocument(chatId, document, first ? scratch : undefined);
      return result.summary;
    } finally {
      if (!stored) {
        await store.discardUpload(chatId, documentId).catch((error: unknown) => {
          logger.error('upload_not_discarded', { chatId, error: String(error) });
        });
      }
      done.resolve();
      releaseQuota();
      release();
    }
  }

  /**
   * The answer's events. When the embedding server was given another model under the index (the first event is
   * `embedding_mismatch`), the index is rebuilt, which embeds the chat's passages again, and the question is asked
   * once more.
   */
  async function* askOnFreshIndex(
    chatId: string,
    documentIds: readonly string[],
    index: SearchIndex,
    question: string,
    options: { history: ChatMessage[]; signal: AbortSignal },
  ): AsyncGenerator<RagEvent> {
    const events = rag.ask(index, question, options);
    const first = await events.next();
    if (!first.done && first.value.type === 'error' && first.value.error === 'embedding_mismatch') {
      logger.info('reindex_on_mismatch', { chatId });
      let rebuilt: SearchIndex;
      try {
        rebuilt = await indexes.get(chatId, documentIds);
      } catch (error) {
        const failure = toDocchatError(error);
        yield { type: 'error', error: failure.code, message: failure.message };
        return;
      }
      yield* rag.ask(rebuilt, question, options);
      return;
    }
    if (!first.done) yield first.value;
    yield* events;
  }

  return {
    listChats: (sessionId) => store.listChats(sessionId),

    async createChat(sessionId) {
      quotas.checkNewChat(await usageOf(sessionId));
      return store.createChat({ id: randomUUID(), sessionId, createdAt: now() });
    },

    async getChat(sessionId, chatId) {
      const chat = await requireChat(sessionId, chatId);
      return { chat, messages: await store.listMessages(chatId) };
    },

    async deleteChat(sessionId, chatId) {
      if (!(await store.deleteChat(sessionId, chatId))) throw chatNotFound();
      indexes.delete(chatId);
    },

    async forgetSession(sessionId) {
      await forgetChats(await store.deleteSession(sessionId));
    },

    async sweepExpiredSessions() {
      const chatIds = await store.deleteSessionsIdleSince(now() - options.sessionTtlMs);
      await forgetChats(chatIds);
      return chatIds.length;
    },

    requireChat,

    async findDocument(sessionId, chatId, idempotencyKey) {
      await requireChat(sessionId, chatId);
      return store.findDocumentByIdempotencyKey(chatId, idempotencyKey);
    },

    async discardUpload(sessionId, chatId, uploadId) {
      await requireChat(sessionId, chatId);
      await store.discardUpload(chatId, uploadId);
    },

    async ingest(sessionId, chatId, upload, options) {
      const { idempotencyKey } = options;
      if (idempotencyKey === undefined) return ingestOnce(sessionId, chatId, upload, options);
      const key = `${chatId}\n${idempotencyKey}`;
      const running = keyedUploads.get(key);
      if (running !== undefined) return running;
      const ingestion = ingestOnce(sessionId, chatId, upload, options);
      keyedUploads.set(key, ingestion);
      try {
        return await ingestion;
      } finally {
        keyedUploads.delete(key);
      }
    },

    async ask(sessionId, chatId, question, { signal }) {
      const chat = await requireChat(sessionId, chatId);
      if (chat.documents.length === 0) throw new DocchatError('invalid_request', 'Upload a document first.');
      quotas.takeMessage(sessionId);
      // Only the end of the conversation is read (a store without `last` returns all; the slice keeps it short).
      const recent = (await store.listMessages(chatId, { last: historyMessages })).slice(-historyMessages);
      const history = toHistory(recent);
      // The chat as just read from the store: documents uploaded through another instance are in it.
      const documentIds = chat.documents.map((document) => document.id);
      const index = await indexes.get(chatId, documentIds);
      throwIfAborted(signal);
      await store.addMessage(chatId, { id: randomUUID(), role: 'user', content: question, createdAt: now() });
      const message: MessageRecord = {
        id: randomUUID(),
        role: 'assistant',
        content: '',
        createdAt: now(),
        status: 'streaming',
      };
      const { signal: tracked, release } = register(signal);
      try {
        await store.addMessage(chatId, message);
      } catch (error) {
        release();
        throw error;
      }
      const events = askOnFreshIndex(chatId, documentIds, index, question, { history, signal: tracked });
      return answer(chatId, events, tracked, release, message);
    },

    async documentFile(sessionId, chatId, documentId) {
      await requireChat(sessionId, chatId);
      const file = await store.getDocumentFile(chatId, documentId);
      if (file === null) throw documentNotFound();
      return file;
    },

    async documentLayout(sessionId, chatId, documentId) {
      await requireChat(sessionId, chatId);
      const layout = await store.getDocumentLayout(chatId, documentId);
      if (layout === null) throw documentNotFound();
      return layout;
    },

    async close() {
      closing = true;
      for (const controller of inFlight.keys()) {
        controller.abort(new DocchatError('aborted', 'The server is shutting down.'));
      }
      await Promise.allSettled(inFlight.values());
    },
  };
}
