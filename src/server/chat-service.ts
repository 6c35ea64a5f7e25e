import { randomUUID } from 'node:crypto';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage, DocumentSummary } from '../core/types.ts';
import type { Rag } from '../pipeline/create-rag.ts';
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
   * failure) leaves nothing behind.
   */
  ingest(
    sessionId: string,
    chatId: string,
    upload: Upload,
    options: { signal: AbortSignal; onProgress?: (event: RagEvent) => void },
  ): Promise<DocumentSummary>;
  /**
   * Checks the chat, stores the user's question and returns the answer's event stream. The assistant's message
   * is stored when the stream ends: `complete`, `stopped` (aborted, with the partial text) or `error`.
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
}

function chatNotFound(): DocchatError {
  return new DocchatError('not_found', 'This chat does not exist (it may have been deleted or expired).');
}

function documentNotFound(): DocchatError {
  return new DocchatError(
    'not_found',
    'This document does not exist in this chat (or its original was not kept).',
  );
}

/** The conversation so far in the model's terms; failed answers add nothing the model should build on. */
function toHistory(messages: readonly MessageRecord[]): ChatMessage[] {
  return messages
    .filter((message) => message.content.trim() !== '' && message.status !== 'error')
    .map((message) => ({ role: message.role, content: message.content }));
}

/** Makes the {@link ChatService} over a store, a RAG core and an index cache. */
export function createChatService(options: ChatServiceOptions): ChatService {
  const { rag, store, indexes, now, logger } = options;
  const inFlight = new Map<AbortController, Promise<void>>();
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

  async function forgetChats(chatIds: readonly string[]): Promise<void> {
    for (const chatId of chatIds) indexes.delete(chatId);
  }

  async function* answer(
    chatId: string,
    events: AsyncGenerator<RagEvent>,
    signal: AbortSignal,
    finished: () => void,
  ): AsyncGenerator<RagEvent> {
    const message: MessageRecord = { id: randomUUID(), role: 'assistant', content: '', createdAt: now() };
    let outcome: 'complete' | 'error' | undefined;
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
          outcome = 'complete';
        } else if (event.type === 'error' && !signal.aborted) {
          message.error = { error: event.error, message: event.message };
          outcome = 'error';
        }
        if (signal.aborted) break;
        yield event;
      }
    } finally {
      // An answer that neither completed nor failed was stopped: by the client, or by shutdown.
      message.status = outcome ?? 'stopped';
      message.createdAt = Math.max(message.createdAt, now());
      try {
        await store.addMessage(chatId, message);
      } catch (error) {
        // The chat was deleted while answering: there is nothing left to store the answer in.
        if (!(error instanceof DocchatError && error.code === 'not_found')) {
          logger.error('message_not_stored', { chatId, error: String(error) });
        }
      }
      finished();
    }
  }

  return {
    listChats: (sessionId) => store.listChats(sessionId),

    createChat: (sessionId) => store.createChat({ id: randomUUID(), sessionId, createdAt: now() }),

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

    async ingest(sessionId, chatId, upload, { signal, onProgress }) {
      const chat = await requireChat(sessionId, chatId);
      const { signal: tracked, release } = register(signal);
      try {
        // A scratch index: the chat's live index only ever receives documents that were stored completely.
        const scratch = rag.createIndex();
        const result = await rag.ingest(upload.input, scratch, {
          ...(upload.password === undefined ? {} : { password: upload.password }),
          signal: tracked,
          documentId: randomUUID(),
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
        };
        await store.addDocument(chatId, document, now());
        await indexes.addDocument(chatId, document, chat.documents.length === 0 ? scratch : undefined);
        return result.summary;
      } finally {
        release();
      }
    },

    async ask(sessionId, chatId, question, { signal }) {
      const chat = await requireChat(sessionId, chatId);
      if (chat.documents.length === 0) throw new DocchatError('invalid_request', 'Upload a document first.');
      const history = toHistory(await store.listMessages(chatId));
      const index = await indexes.get(chatId);
      throwIfAborted(signal);
      await store.addMessage(chatId, { id: randomUUID(), role: 'user', content: question, createdAt: now() });

      const { signal: tracked, release } = register(signal);
      return answer(chatId, rag.ask(index, question, { history, signal: tracked }), tracked, release);
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
