import type { ErrorCode } from '../../../src/core/errors.ts';
import type { DocumentSummary, ModelInfo, Source } from '../../../src/core/types.ts';

/** `GET /api/config`: what the UI needs before an upload. */
export interface AppConfig {
  maxUploadBytes: number;
  accept: { extensions: string[]; mimeTypes: string[] };
  model: ModelInfo;
}

/** `GET /api/health`. */
export interface Health {
  status: 'ok';
  version: string;
  model: ModelInfo;
  embedder: string | null;
  retriever: string;
}

/** One chat of the session as listed (title: the first document's name, or "New chat"). */
export interface ChatSummary {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  documents: DocumentSummary[];
}

/** A stored message of a chat; assistant messages carry what answered them and how it ended. */
export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  sources?: Source[];
  query?: string;
  model?: ModelInfo;
  status?: 'complete' | 'stopped' | 'error';
  error?: { error: ErrorCode; message: string };
}

/** `GET /api/chats/:chatId`: a chat with its messages, oldest first. */
export interface ChatDetail extends ChatSummary {
  messages: StoredMessage[];
}
