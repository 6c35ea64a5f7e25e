import type { ModelInfo } from '../../../src/core/types.ts';

// The chat shapes are the server's own types (erased at build time), so the UI and the API cannot drift apart.
export type {
  ChatDetail,
  ChatSummary,
  Message as StoredMessage,
} from '../../../src/server/api-shapes.ts';
export type { DocumentLayout } from '../../../src/storage/chat-store.ts';

/** `GET /api/config`: what the UI needs before an upload. */
export interface AppConfig {
  maxUploadBytes: number;
  accept: { extensions: string[]; mimeTypes: string[] };
  model: ModelInfo;
  /** A session's chats are deleted after this many hours unused. */
  sessionTtlHours: number;
}

/** `GET /api/health`. */
export interface Health {
  status: 'ok';
  version: string;
  model: ModelInfo;
  embedder: string | null;
  retriever: string;
}
