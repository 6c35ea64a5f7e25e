import {
  type DragEvent,
  lazy,
  type ReactNode,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ocrPagesText, pageCountText } from '../../../src/core/page-count.ts';
import type { ApiClient } from '../api/client.ts';
import { AnswerView } from '../components/AnswerView.tsx';
import { ChatList } from '../components/ChatList.tsx';
import { Composer } from '../components/Composer.tsx';
import { DismissButton } from '../components/DismissButton.tsx';
import type { ViewerTarget } from '../components/DocumentViewer.tsx';
import { HiddenFileInput } from '../components/HiddenFileInput.tsx';
import { IngestStatus } from '../components/IngestStatus.tsx';
import { ModelBadge } from '../components/ModelBadge.tsx';
import { SourcesPanel } from '../components/SourcesPanel.tsx';
import { UploadPrompt } from '../components/UploadPrompt.tsx';
import {
  type AnswerItem,
  type IngestItem,
  type NoticeItem,
  type TimelineItem,
  useChat,
} from '../hooks/useChat.ts';
import { useChats } from '../hooks/useChats.ts';
import { useConfig } from '../hooks/useConfig.ts';
import { useRoute } from '../hooks/useRoute.ts';
import { documentIdOf } from '../lib/format.ts';

// The viewer and pdf.js load on the first citation opened, not with the page.
const DocumentViewer = lazy(() => import('../components/DocumentViewer.tsx'));

function documentList(item: TimelineItem & { kind: 'documents' }): ReactNode {
  return (
    <div className="bubble bubble-app">
      <p>Documents in this chat:</p>
      <ul className="document-list">
        {item.documents.map((document) => (
          <li key={document.id}>
            <code>{document.source}</code>
            {document.pages !== null ? <span className="hint"> · {pageCountText(document)}</span> : null}
            {document.ocrPages ? <span className="hint"> · {ocrPagesText(document)}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The one screen: the chat list, the open chat's timeline and composer, and the sources panel. */
export function ChatPage({ api }: { api: ApiClient }): ReactNode {
  const { config, error: configError, retry: retryConfig } = useConfig(api);
  const { chats, error: chatsError, refresh } = useChats(api);
  const { chatId: routeChatId, navigate } = useRoute();
  // The route last acted on: the chat follows the address bar, but only when the address changes.
  const routed = useRef<string | null | undefined>(undefined);
  const chat = useChat(api, config, {
    onChatCreated: (chatId) => {
      routed.current = chatId;
      navigate(chatId);
    },
    onChatsChanged: () => void refresh(),
    onOpenFailed: () => {
      routed.current = null;
      navigate(null, { replace: true });
    },
  });
  const { state, busy } = chat;
  const [selectedAnswerId, setSelectedAnswerId] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ n: number; at: number } | null>(null);
  const [confirmingForget, setConfirmingForget] = useState(false);
  const [forgetError, setForgetError] = useState<string | null>(null);
  const [showChats, setShowChats] = useState(false);
  const [viewing, setViewing] = useState<ViewerTarget | null>(null);
  const fileInputRef = useRef<HTMLInputElement>(null);
  const timelineRef = useRef<HTMLElement>(null);
  const stickToBottom = useRef(true);

  const { open, startNew } = chat;
  useEffect(() => {
    if (routed.current === routeChatId) return;
    routed.current = routeChatId;
    if (routeChatId) void open(routeChatId);
    else startNew();
  }, [routeChatId, open, startNew]);

  // Per-chat view state starts afresh when another chat opens (adjusted during render, as React advises).
  const [viewedChatId, setViewedChatId] = useState(state.chatId);
  if (viewedChatId !== state.chatId) {
    setViewedChatId(state.chatId);
    setSelectedAnswerId(null);
    setFocus(null);
    setConfirmingForget(false);
    setForgetError(null);
    setViewing(null);
  }

  const answers = useMemo(
    () => state.items.filter((item): item is AnswerItem => item.kind === 'answer'),
    [state.items],
  );
  const selectedAnswer = answers.find((answer) => answer.id === selectedAnswerId) ?? answers.at(-1) ?? null;

  useEffect(() => {
    const timeline = timelineRef.current;
    if (timeline && stickToBottom.current && state.items.length > 0)
      timeline.scrollTop = timeline.scrollHeight;
  }, [state.items]);

  const handleScroll = () => {
    const timeline = timelineRef.current;
    if (timeline)
      stickToBottom.current = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
  };

  const { chatId, documents } = state;
  const openSource = useCallback(
    (answer: AnswerItem | undefined, n: number) => {
      const source = answer?.sources.find((candidate) => candidate.n === n);
      if (!source || chatId === null) return;
      const documentId = documentIdOf(source.id);
      const kind =
        documents.find((document) => document.id === documentId)?.kind ??
        (source.page === null ? 'text' : 'pdf');
      setViewing({ chatId, documentId, kind, source });
    },
    [chatId, documents],
  );

  const handleCite = useCallback(
    (answerId: string, n: number) => {
      setSelectedAnswerId(answerId);
      setFocus({ n, at: Date.now() });
      openSource(
        answers.find((answer) => answer.id === answerId),
        n,
      );
    },
    [answers, openSource],
  );
  const handleCloseViewer = useCallback(() => setViewing(null), []);

  const handleShowSources = useCallback((answerId: string) => {
    setSelectedAnswerId(answerId);
    setFocus({ n: 1, at: Date.now() });
  }, []);

  const handleNewChat = () => {
    setShowChats(false);
    routed.current = null;
    startNew();
    navigate(null);
  };

  const handleSelectChat = (chatId: string) => {
    setShowChats(false);
    navigate(chatId);
  };

  const handleForget = async () => {
    try {
      await chat.forget();
      routed.current = null;
      navigate(null);
    } catch (error) {
      setForgetError(error instanceof Error ? error.message : 'Could not forget this chat. Try again.');
    } finally {
      setConfirmingForget(false);
    }
  };

  const handleForgetAll = async () => {
    setShowChats(false);
    try {
      await api.deleteSession();
      routed.current = null;
      startNew();
      navigate(null);
    } catch (error) {
      setForgetError(error instanceof Error ? error.message : 'Could not forget your chats. Try again.');
    }
    await refresh();
  };

  // Escape closes the chat drawer on small screens.
  useEffect(() => {
    if (!showChats) return;
    const handleKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setShowChats(false);
    };
    window.addEventListener('keydown', handleKeyDown);
    return () => window.removeEventListener('keydown', handleKeyDown);
  }, [showChats]);

  const handleDismiss = (item: NoticeItem | IngestItem) => void chat.dismiss(item);

  const handleRetryWithPassword = (item: IngestItem, password: string) => {
    if (item.file) void chat.uploadFile(item.file, { password, retryOf: item.id });
  };

  // A file dropped anywhere on the chat is taken (a drop the page ignores would make the browser open the file).
  const handleDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    const file = event.dataTransfer.files[0];
    if (file && !busy.ingesting && !state.loading) void chat.uploadFile(file);
  };

  const hasDocuments = state.documents.length > 0;
  // A chat reopened from the server starts with its document list instead of the upload request.
  const restored = state.items.some((item) => item.kind === 'documents');
  const showUploadPrompt = config !== null && !state.loading && !hasDocuments && !busy.ingesting;
  const disabledReason = state.loading
    ? 'Opening the chat…'
    : !hasDocuments
      ? 'Upload a document first'
      : null;

  return (
    <div className={showChats ? 'app app-chats-open' : 'app'}>
      <header className="topbar">
        <button
          type="button"
          className="button button-ghost chats-toggle"
          aria-expanded={showChats}
          aria-controls="chat-list"
          onClick={() => setShowChats((value) => !value)}
        >
          Chats
        </button>
        <h1 className="brand">docchat</h1>
        {config ? <ModelBadge model={config.model} /> : null}
        <div className="topbar-actions">
          {state.chatId ? (
            confirmingForget ? (
              <div className="confirm">
                <span>Forget this chat and its files for good?</span>
                <button type="button" className="button button-danger" onClick={() => void handleForget()}>
                  Forget
                </button>
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => setConfirmingForget(false)}
                >
                  Cancel
                </button>
              </div>
            ) : (
              <button type="button" className="button button-ghost" onClick={() => setConfirmingForget(true)}>
                Forget chat
              </button>
            )
          ) : null}
        </div>
      </header>

      <div id="chat-list" className="sidebar">
        <ChatList
          chats={chats}
          currentChatId={state.chatId}
          error={chatsError}
          onSelect={handleSelectChat}
          onNewChat={handleNewChat}
          onForgetAll={() => void handleForgetAll()}
          {...(config ? { sessionTtlHours: config.sessionTtlHours } : {})}
        />
      </div>

      <main className="chat" onDragOver={(event) => event.preventDefault()} onDrop={handleDrop}>
        <section className="timeline" ref={timelineRef} onScroll={handleScroll} aria-label="Conversation">
          {configError ? (
            <div className="bubble bubble-error" role="alert">
              <p>{configError}</p>
              <button type="button" className="button" onClick={retryConfig}>
                Try again
              </button>
            </div>
          ) : null}
          {forgetError ? (
            <div className="bubble bubble-error" role="alert">
              <p>{forgetError}</p>
            </div>
          ) : null}
          {state.loading ? <p className="hint">Opening the chat…</p> : null}
          {!showUploadPrompt && state.items.some((item) => item.kind === 'ingest') && !restored ? (
            <div className="bubble bubble-app">
              <p className="upload-title">Please upload a Text or PDF file to begin!</p>
            </div>
          ) : null}
          {state.items.map((item) => {
            switch (item.kind) {
              case 'notice':
                return (
                  <div key={item.id} className={`bubble bubble-${item.tone}`} role="alert">
                    <p>{item.text}</p>
                    <DismissButton
                      label={item.uploadId ? 'Dismiss the failed upload' : 'Dismiss this message'}
                      onDismiss={() => handleDismiss(item)}
                    />
                  </div>
                );
              case 'documents':
                return <div key={item.id}>{documentList(item)}</div>;
              case 'ingest':
                return (
                  <IngestStatus
                    key={item.id}
                    item={item}
                    onRetryWithPassword={handleRetryWithPassword}
                    onDismiss={handleDismiss}
                  />
                );
              case 'question':
                return (
                  <div key={item.id} className="bubble bubble-question">
                    <p>
                      <span className="visually-hidden">You asked: </span>
                      {item.content}
                    </p>
                  </div>
                );
              case 'answer':
                return (
                  <AnswerView
                    key={item.id}
                    answer={item}
                    selected={item.id === selectedAnswer?.id && answers.length > 1}
                    onCite={handleCite}
                    onShowSources={handleShowSources}
                  />
                );
              default:
                return null;
            }
          })}
          {showUploadPrompt ? (
            <UploadPrompt
              config={config}
              disabled={busy.ingesting}
              onFile={(file) => void chat.uploadFile(file)}
            />
          ) : null}
        </section>
        <Composer
          disabledReason={disabledReason}
          answering={busy.answering}
          onAsk={(question) => {
            stickToBottom.current = true;
            void chat.ask(question);
          }}
          onStop={chat.stop}
          canAddFile={hasDocuments && !busy.ingesting && config !== null}
          onAddFile={() => fileInputRef.current?.click()}
        />
        <HiddenFileInput
          inputRef={fileInputRef}
          label="Choose another file for this chat"
          config={config}
          onFile={(file) => void chat.uploadFile(file)}
        />
      </main>

      <SourcesPanel
        answer={selectedAnswer}
        focus={focus}
        onOpen={(n) => openSource(selectedAnswer ?? undefined, n)}
      />
      {viewing ? (
        <Suspense
          fallback={
            <div className="viewer-backdrop">
              <p className="viewer-loading">Opening the document…</p>
            </div>
          }
        >
          <DocumentViewer api={api} target={viewing} onClose={handleCloseViewer} />
        </Suspense>
      ) : null}
    </div>
  );
}
