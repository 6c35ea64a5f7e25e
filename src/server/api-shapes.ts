import type { ErrorCode } from '../core/errors.ts';
import type { DocumentSummary, ModelInfo, Source } from '../core/types.ts';
import type { ChatRecord, MessageRecord, MessageStatus } from '../storage/chat-store.ts';

/** A chat as listed by the API. Times are ISO 8601 strings. */
export interface ChatSummary {
  id: string;
  /** The first document's name, or "New chat". */
  title: string;
  createdAt: string;
  updatedAt: string;
  documents: DocumentSummary[];
  /** Uploads that are not documents: being ingested, or `failed` because the server stopped mid-way. */
  uploads: Upload[];
}

/** An upload the server recorded before its document was stored. */
export interface Upload {
  id: string;
  source: string;
  createdAt: string;
  status: 'ingesting' | 'failed';
}

/** A chat message as the API returns it. */
export interface Message {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  sources?: Source[];
  query?: string;
  model?: ModelInfo;
  status?: MessageStatus;
  error?: { error: ErrorCode; message: string };
}

/** A chat with its messages, as `GET /api/chats/:chatId` returns it. */
export interface ChatDetail extends ChatSummary {
  messages: Message[];
}

const iso = (time: number) => new Date(time).toISOString();

/** Shapes a stored chat for the API. */
export function toChatSummary(chat: ChatRecord): ChatSummary {
  return {
    id: chat.id,
    title: chat.documents[0]?.source ?? 'New chat',
    createdAt: iso(chat.createdAt),
    updatedAt: iso(chat.updatedAt),
    documents: chat.documents,
    uploads: chat.uploads.map((upload) => ({ ...upload, createdAt: iso(upload.createdAt) })),
  };
}

/** Shapes a stored message for the API. */
export function toMessage(message: MessageRecord): Message {
  return { ...message, createdAt: iso(message.createdAt) };
}
