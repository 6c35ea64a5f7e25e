import { useCallback, useRef, useState } from 'react';
import { DocchatError, type ErrorCode } from '../../../src/core/errors.ts';
import type { IngestStage, RagEvent } from '../../../src/core/events.ts';
import type { DocumentSummary, ModelInfo, Source } from '../../../src/core/types.ts';
import type { AppConfig, ChatDetail } from '../api/api-types.ts';
import type { ApiClient } from '../api/client.ts';
import { acceptedSummary, fileExtension, tooLargeMessage } from '../lib/format.ts';

/** An error as the UI shows it. */
export interface UiError {
  code: ErrorCode;
  message: string;
}

/** One file being (or having been) ingested into the chat. */
export interface IngestItem {
  kind: 'ingest';
  id: string;
  fileName: string;
  /** Kept so an encrypted PDF can be sent again with its password. */
  file: File | null;
  status: 'running' | 'done' | 'error';
  stage: IngestStage | null;
  done: number;
  total: number;
  /** The page being parsed is read by OCR. */
  ocr: boolean;
  document: DocumentSummary | null;
  error: UiError | null;
}

/** A question the user asked. */
export interface QuestionItem {
  kind: 'question';
  id: string;
  content: string;
}

/** An answer, streaming or finished, with the passages it was given. */
export interface AnswerItem {
  kind: 'answer';
  id: string;
  question: string;
  content: string;
  sources: Source[];
  /** The standalone query used for retrieval (differs from the question for follow-ups). */
  query: string | null;
  model: ModelInfo | null;
  status: 'streaming' | 'complete' | 'stopped' | 'error' | 'interrupted';
  error: UiError | null;
  /** The answer was cut off at its length limit. */
  truncated?: boolean;
}

/** A message from the app itself: a refused file, a chat that could not be opened. */
export interface NoticeItem {
  kind: 'notice';
  id: string;
  tone: 'error' | 'info';
  text: string;
  /** The failed upload the notice is about, forgotten on the server when the notice is dismissed. */
  uploadId?: string;
}

/** The documents of a chat reopened from the server. */
export interface DocumentsItem {
  kind: 'documents';
  id: string;
  documents: DocumentSummary[];
}

/** Everything shown in a chat's timeline, in order. */
export type TimelineItem = IngestItem | QuestionItem | AnswerItem | NoticeItem | DocumentsItem;

/** The open chat: `chatId` is `null` for a new chat not yet created on the server. */
export interface ChatState {
  chatId: string | null;
  documents: DocumentSummary[];
  items: TimelineItem[];
  loading: boolean;
}

/** What {@link useChat} returns. */
export interface ChatController {
  state: ChatState;
  busy: { ingesting: boolean; answering: boolean };
  startNew(notice?: string): void;
  open(chatId: string): Promise<void>;
  uploadFile(file: File, options?: { password?: string; retryOf?: string }): Promise<void>;
  ask(question: string): Promise<void>;
  stop(): void;
  forget(): Promise<void>;
  /**
   * Removes a notice or a failed upload from the timeline (and a failed upload's record from the server); never
   * throws: when the server cannot be reached the item stays, with a notice saying why.
   */
  dismiss(item: NoticeItem | IngestItem): Promise<void>;
}

const emptyChat: ChatState = { chatId: null, documents: [], items: [], loading: false };

let counter = 0;
const localId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

function toUiError(error: unknown): UiError {
  if (error instanceof DocchatError) return { code: error.code, message: error.message };
  return { code: 'internal', message: 'Something went wrong. Try again.' };
}

/** Rebuilds a stored chat's timeline: its documents first, then its questions and answers. */
export function timelineFromChat(chat: ChatDetail): TimelineItem[] {
  const items: TimelineItem[] = [];
  if (chat.documents.length > 0)
    items.push({ kind: 'documents', id: `docs-${chat.id}`, documents: chat.documents });
  for (const upload of chat.uploads ?? []) {
    if (upload.status !== 'failed') continue;
    items.push({
      kind: 'notice',
      id: `upload-${upload.id}`,
      tone: 'error',
      text: `“${upload.source}” failed: the server stopped while reading it. Upload it again.`,
      uploadId: upload.id,
    });
  }
  let question = '';
  for (const message of chat.messages) {
    if (message.role === 'user') {
      question = message.content;
      items.push({ kind: 'question', id: message.id, content: message.content });
      continue;
    }
    items.push({
      kind: 'answer',
      id: message.id,
      question,
      content: message.content,
      sources: message.sources ?? [],
      query: message.query ?? null,
      model: message.model ?? null,
      status: message.status ?? 'complete',
      error: message.error ? { code: message.error.error, message: message.error.message } : null,
      ...(message.truncated ? { truncated: true } : {}),
    });
  }
  return items;
}

/** Why a file is refused before upload, in the server's words, or `null` when it may be sent. */
export function refuseFile(file: File, config: AppConfig): string | null {
  const extension = fileExtension(file.name);
  const accepted = config.accept.extensions.map((value) => value.toLowerCase());
  if (!accepted.includes(extension)) {
    return `"${file.name}" is not a supported file type. Upload a Text or PDF file (${acceptedSummary(accepted)}).`;
  }
  if (file.size > config.maxUploadBytes) return tooLargeMessage(config.maxUploadBytes);
  return null;
}

/**
 * The open chat's state and actions: upload with progress, streamed answers with stop, reopen and forget.
 * Work started for one chat never writes into another: switching chats aborts it and ignores its late events.
 */
export function useChat(
  api: ApiClient,
  config: AppConfig | null,
  callbacks: { onChatCreated(chatId: string): void; onChatsChanged(): void; onOpenFailed(): void },
): ChatController {
  const [state, setState] = useState<ChatState>(emptyChat);
  const [busy, setBusy] = useState({ ingesting: false, answering: false });
  const generation = useRef(0);
  const chatIdRef = useRef<string | null>(null);
  const controllers = useRef(new Set<AbortController>());
  const answerController = useRef<AbortController | null>(null);
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;

  const abortAll = useCallback(() => {
    for (const controller of controllers.current) controller.abort();
    controllers.current.clear();
    answerController.current = null;
    setBusy({ ingesting: false, answering: false });
  }, []);

  /** Applies an update only while the chat it belongs to is still the open one. */
  const guard = useCallback((run: number, update: (previous: ChatState) => ChatState) => {
    if (run === generation.current) setState(update);
  }, []);

  const updateItem = useCallback(
    <T extends TimelineItem>(run: number, id: string, change: (item: T) => T) =>
      guard(run, (previous) => ({
        ...previous,
        items: previous.items.map((item) => (item.id === id ? change(item as T) : item)),
      })),
    [guard],
  );

  const startNew = useCallback(
    (notice?: string) => {
      generation.current++;
      abortAll();
      chatIdRef.current = null;
      setState({
        ...emptyChat,
        items: notice ? [{ kind: 'notice', id: localId('notice'), tone: 'error', text: notice }] : [],
      });
    },
    [abortAll],
  );

  const open = useCallback(
    async (chatId: string) => {
      if (chatIdRef.current === chatId) return;
      const run = ++generation.current;
      abortAll();
      chatIdRef.current = chatId;
      setState({ ...emptyChat, chatId, loading: true });
      try {
        const chat = await api.getChat(chatId);
        guard(run, () => ({
          chatId,
          documents: chat.documents,
          items: timelineFromChat(chat),
          loading: false,
        }));
      } catch (error) {
        if (run !== generation.current) return;
        chatIdRef.current = null;
        const { code, message } = toUiError(error);
        const text =
          code === 'not_found'
            ? 'That chat does not exist here (it may have been forgotten, or belong to another browser). Here is a new one.'
            : message;
        setState({ ...emptyChat, items: [{ kind: 'notice', id: localId('notice'), tone: 'error', text }] });
        callbacksRef.current.onOpenFailed();
      }
    },
    [api, abortAll, guard],
  );

  const ensureChat = useCallback(
    async (run: number): Promise<string | null> => {
      if (chatIdRef.current) return chatIdRef.current;
      const chat = await api.createChat();
      if (run !== generation.current) return null;
      chatIdRef.current = chat.id;
      setState((previous) => ({ ...previous, chatId: chat.id }));
      callbacksRef.current.onChatCreated(chat.id);
      return chat.id;
    },
    [api],
  );

  const uploadFile = useCallback(
    async (file: File, options: { password?: string; retryOf?: string } = {}) => {
      if (!config) return;
      const run = generation.current;
      const refusal = refuseFile(file, config);
      if (refusal) {
        setState((previous) => ({
          ...previous,
          items: [...previous.items, { kind: 'notice', id: localId('notice'), tone: 'error', text: refusal }],
        }));
        return;
      }
      const id = options.retryOf ?? localId('ingest');
      const fresh: IngestItem = {
        kind: 'ingest',
        id,
        fileName: file.name,
        file,
        status: 'running',
        stage: null,
        done: 0,
        total: 0,
        ocr: false,
        document: null,
        error: null,
      };
      setState((previous) => ({
        ...previous,
        items: options.retryOf
          ? previous.items.map((item) => (item.id === id ? fresh : item))
          : [...previous.items, fresh],
      }));
      const controller = new AbortController();
      controllers.current.add(controller);
      setBusy((previous) => ({ ...previous, ingesting: true }));
      const fail = (error: UiError) =>
        updateItem<IngestItem>(run, id, (item) => ({ ...item, status: 'error', error }));
      try {
        const chatId = await ensureChat(run);
        if (!chatId) return;
        const uploadOptions: { password?: string; signal: AbortSignal } = { signal: controller.signal };
        if (options.password !== undefined) uploadOptions.password = options.password;
        for await (const event of api.uploadDocument(chatId, file, uploadOptions)) {
          if (event.type === 'progress') {
            updateItem<IngestItem>(run, id, (item) => ({
              ...item,
              stage: event.stage,
              done: event.done,
              total: event.total,
              ocr: event.ocr === true,
            }));
          } else if (event.type === 'document') {
            const document = event.document;
            updateItem<IngestItem>(run, id, (item) => ({ ...item, status: 'done', document, file: null }));
            guard(run, (previous) => ({ ...previous, documents: [...previous.documents, document] }));
          } else if (event.type === 'error') {
            fail({ code: event.error, message: event.message });
          }
        }
      } catch (error) {
        const uiError = toUiError(error);
        if (uiError.code !== 'aborted') fail(uiError);
      } finally {
        controllers.current.delete(controller);
        if (run === generation.current) setBusy((previous) => ({ ...previous, ingesting: false }));
        callbacksRef.current.onChatsChanged();
      }
    },
    [api, config, ensureChat, guard, updateItem],
  );

  const ask = useCallback(
    async (question: string) => {
      const chatId = chatIdRef.current;
      if (!chatId || answerController.current) return;
      const run = generation.current;
      const id = localId('answer');
      const answer: AnswerItem = {
        kind: 'answer',
        id,
        question,
        content: '',
        sources: [],
        query: null,
        model: null,
        status: 'streaming',
        error: null,
      };
      setState((previous) => ({
        ...previous,
        items: [...previous.items, { kind: 'question', id: localId('question'), content: question }, answer],
      }));
      const controller = new AbortController();
      controllers.current.add(controller);
      answerController.current = controller;
      setBusy((previous) => ({ ...previous, answering: true }));
      const apply = (event: RagEvent) =>
        updateItem<AnswerItem>(run, id, (item) => {
          switch (event.type) {
            case 'sources':
              return { ...item, sources: event.sources, query: event.query, model: event.model };
            case 'text-delta':
              return { ...item, content: item.content + event.delta };
            case 'done':
              return {
                ...item,
                content: event.answer,
                model: event.model,
                status: 'complete',
                ...(event.finishReason === 'length' ? { truncated: true } : {}),
              };
            case 'error':
              return { ...item, status: 'error', error: { code: event.error, message: event.message } };
            default:
              return item;
          }
        });
      try {
        for await (const event of api.ask(chatId, question, { signal: controller.signal })) apply(event);
      } catch (error) {
        const uiError = toUiError(error);
        updateItem<AnswerItem>(run, id, (item) =>
          uiError.code === 'aborted'
            ? { ...item, status: 'stopped' }
            : { ...item, status: 'error', error: uiError },
        );
      } finally {
        controllers.current.delete(controller);
        if (answerController.current === controller) answerController.current = null;
        if (run === generation.current) setBusy((previous) => ({ ...previous, answering: false }));
        callbacksRef.current.onChatsChanged();
      }
    },
    [api, updateItem],
  );

  const stop = useCallback(() => {
    answerController.current?.abort();
  }, []);

  const forget = useCallback(async () => {
    const chatId = chatIdRef.current;
    if (chatId) await api.deleteChat(chatId);
    startNew();
    callbacksRef.current.onChatsChanged();
  }, [api, startNew]);

  const dismiss = useCallback(
    async (item: NoticeItem | IngestItem) => {
      const chatId = chatIdRef.current;
      if (item.kind === 'notice' && item.uploadId && chatId) {
        try {
          await api.discardUpload(chatId, item.uploadId);
        } catch (error) {
          // Already gone (another tab dismissed it, or the chat expired) is what was asked for; otherwise the
          // notice stays, with why it could not be dismissed.
          if (!(error instanceof DocchatError && error.code === 'not_found')) {
            const { message } = toUiError(error);
            setState((previous) => ({
              ...previous,
              items: [
                ...previous.items,
                { kind: 'notice', id: localId('notice'), tone: 'error', text: message },
              ],
            }));
            return;
          }
        }
      }
      setState((previous) => ({
        ...previous,
        items: previous.items.filter((candidate) => candidate.id !== item.id),
      }));
      callbacksRef.current.onChatsChanged();
    },
    [api],
  );

  return { state, busy, startNew, open, uploadFile, ask, stop, forget, dismiss };
}
