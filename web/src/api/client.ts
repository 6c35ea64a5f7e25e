import { DocchatError, type ErrorCode, errorCodes } from '../../../src/core/errors.ts';
import type { RagEvent } from '../../../src/core/events.ts';
import type { DocumentSummary } from '../../../src/core/types.ts';
import type { AppConfig, ChatDetail, ChatSummary, DocumentLayout, Health } from './api-types.ts';
import { toRagEvent } from './rag-event.ts';
import { readSse } from './sse.ts';

/** The typed client of the docchat HTTP API; every failure is thrown as a {@link DocchatError}. */
export interface ApiClient {
  health(): Promise<Health>;
  config(): Promise<AppConfig>;
  listChats(): Promise<ChatSummary[]>;
  createChat(): Promise<ChatSummary>;
  getChat(chatId: string): Promise<ChatDetail>;
  deleteChat(chatId: string): Promise<void>;
  /** Forgets an upload that failed (the server stopped while reading it). */
  discardUpload(chatId: string, uploadId: string): Promise<void>;
  deleteSession(): Promise<void>;
  /** Uploads one file and streams its ingestion: `progress` events, then `document` or `error`. */
  uploadDocument(
    chatId: string,
    file: File,
    options?: { password?: string; signal?: AbortSignal },
  ): AsyncGenerator<RagEvent>;
  /** Asks a question and streams the answer: `sources`, `text-delta`s, then `done` or `error`. */
  ask(chatId: string, question: string, options?: { signal?: AbortSignal }): AsyncGenerator<RagEvent>;
  /** The original file of a document, as uploaded (its `type` is the media type the server gave it). */
  documentFile(chatId: string, documentId: string, options?: { signal?: AbortSignal }): Promise<Blob>;
  /** The text passage offsets point into and where its runs lie on the pages. */
  documentLayout(
    chatId: string,
    documentId: string,
    options?: { signal?: AbortSignal },
  ): Promise<DocumentLayout>;
}

const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(errorCodes, value);

/** What to say when a response carries no `{ error, message }` body (a proxy's error page, say). */
function fallbackError(status: number): DocchatError {
  const details = { status };
  if (status === 404) return new DocchatError('not_found', 'That was not found on the server.', { details });
  if (status === 413) return new DocchatError('file_too_large', 'The file is too large.', { details });
  if (status === 415)
    return new DocchatError('unsupported_file_type', 'This file type is not supported.', { details });
  if (status === 504)
    return new DocchatError('upstream_timeout', 'The server took too long to answer. Try again.', {
      details,
    });
  if (status >= 400 && status < 500)
    return new DocchatError('invalid_request', `The server refused the request (status ${status}).`, {
      details,
    });
  return new DocchatError('internal', `The server had a problem (status ${status}). Try again in a moment.`, {
    details,
  });
}

/** Maps a failed response's `{ error, message }` body back to a typed {@link DocchatError}. */
export async function errorFromResponse(response: Response): Promise<DocchatError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fallbackError(response.status);
  }
  if (typeof body === 'object' && body !== null && 'error' in body && 'message' in body) {
    const { error, message } = body;
    if (isErrorCode(error) && typeof message === 'string' && message !== '') {
      return new DocchatError(error, message, { details: { status: response.status } });
    }
  }
  return fallbackError(response.status);
}

/** Turns a failed `fetch` (no response at all) into a typed error; aborts stay recognizable as `aborted`. */
function networkError(error: unknown): DocchatError {
  if (error instanceof DocchatError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new DocchatError('aborted', 'The request was cancelled.', { cause: error });
  }
  return new DocchatError(
    'internal',
    'Could not reach the docchat server. Check your connection and that the server is running, then try again.',
    { cause: error },
  );
}

/** Reads a streamed response's events; a stream that ends before its final event yields `stream_interrupted`. */
async function* streamEvents(
  response: Response,
  finalTypes: ReadonlySet<RagEvent['type']>,
): AsyncGenerator<RagEvent> {
  if (!response.body) throw new DocchatError('internal', 'The server sent an empty stream.');
  let finished = false;
  try {
    for await (const message of readSse(response.body)) {
      let event: RagEvent | null;
      try {
        event = toRagEvent(message);
      } catch (error) {
        throw new DocchatError(
          'internal',
          error instanceof Error ? error.message : 'The server sent a bad event.',
        );
      }
      if (!event) continue;
      yield event;
      if (finalTypes.has(event.type)) {
        finished = true;
        return;
      }
    }
  } catch (error) {
    throw networkError(error);
  }
  if (!finished) {
    yield {
      type: 'error',
      error: 'stream_interrupted',
      message: 'The connection to the server was lost before the end. Try again.',
    };
  }
}

/** Creates the API client; `baseUrl` defaults to the page's own origin and `fetch` to the global one. */
export function createApiClient(options: { baseUrl?: string; fetch?: typeof fetch } = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, { credentials: 'same-origin', ...init });
    } catch (error) {
      throw networkError(error);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  async function json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await request(path, init);
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw new DocchatError('internal', 'The server sent an unreadable answer. Try again.', {
        cause: error,
      });
    }
  }

  const chatPath = (chatId: string) => `/api/chats/${encodeURIComponent(chatId)}`;

  return {
    health: () => json<Health>('/api/health'),
    config: () => json<AppConfig>('/api/config'),
    listChats: async () => (await json<{ chats: ChatSummary[] }>('/api/chats')).chats,
    createChat: () =>
      json<ChatSummary>('/api/chats', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      }),
    getChat: (chatId) => json<ChatDetail>(chatPath(chatId)),
    async deleteChat(chatId) {
      await request(chatPath(chatId), { method: 'DELETE' });
    },
    async discardUpload(chatId, uploadId) {
      await request(`${chatPath(chatId)}/uploads/${encodeURIComponent(uploadId)}`, { method: 'DELETE' });
    },
    async deleteSession() {
      await request('/api/session', { method: 'DELETE' });
    },
    async *uploadDocument(chatId, file, uploadOptions = {}) {
      const form = new FormData();
      form.append('file', file, file.name);
      if (uploadOptions.password !== undefined) form.append('password', uploadOptions.password);
      const response = await request(`${chatPath(chatId)}/documents`, {
        method: 'POST',
        headers: { Accept: 'text/event-stream' },
        body: form,
        signal: uploadOptions.signal,
      });
      // A server may answer the plain JSON mode even when asked for a stream; both end in a `document`.
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        const document = (await response.json()) as DocumentSummary;
        yield { type: 'document', document };
        return;
      }
      yield* streamEvents(response, new Set(['document', 'error']));
    },
    async *ask(chatId, question, askOptions = {}) {
      const response = await request(`${chatPath(chatId)}/messages`, {
        method: 'POST',
        headers: { Accept: 'text/event-stream', 'Content-Type': 'application/json' },
        body: JSON.stringify({ question }),
        signal: askOptions.signal,
      });
      yield* streamEvents(response, new Set(['done', 'error']));
    },
    async documentFile(chatId, documentId, fileOptions = {}) {
      const path = `${chatPath(chatId)}/documents/${encodeURIComponent(documentId)}/file`;
      const response = await request(path, { signal: fileOptions.signal });
      try {
        return await response.blob();
      } catch (error) {
        throw networkError(error);
      }
    },
    documentLayout: (chatId, documentId, layoutOptions = {}) =>
      json<DocumentLayout>(`${chatPath(chatId)}/documents/${encodeURIComponent(documentId)}/layout`, {
        signal: layoutOptions.signal,
      }),
  };
}
