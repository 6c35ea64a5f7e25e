import { type ReactNode, useState } from 'react';
import type { ChatSummary } from '../api/api-types.ts';

/** Props of {@link ChatList}. */
export interface ChatListProps {
  chats: ChatSummary[];
  currentChatId: string | null;
  error: string | null;
  onSelect: (chatId: string) => void;
  onNewChat: () => void;
  onForgetAll: () => void;
  /** Hours unused after which chats are deleted (from `/api/config`), once known. */
  sessionTtlHours?: number;
}

/** "24 hours", "7 days", "90 minutes". */
function unusedFor(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} minutes`;
  if (hours >= 48 && hours % 24 === 0) return `${hours / 24} days`;
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

/** This browser's chats, newest first, with a button for a new one. */
export function ChatList({
  chats,
  currentChatId,
  error,
  onSelect,
  onNewChat,
  onForgetAll,
  sessionTtlHours,
}: ChatListProps): ReactNode {
  const [confirming, setConfirming] = useState(false);
  return (
    <nav className="chat-list" aria-label="Your chats">
      <button type="button" className="button button-primary new-chat" onClick={onNewChat}>
        New chat
      </button>
      {error ? <p className="error-text">{error}</p> : null}
      {chats.length === 0 ? <p className="hint">No chats yet.</p> : null}
      <ul>
        {chats.map((chat) => (
          <li key={chat.id}>
            <button
              type="button"
              className={chat.id === currentChatId ? 'chat-link chat-link-current' : 'chat-link'}
              aria-current={chat.id === currentChatId ? 'page' : undefined}
              onClick={() => onSelect(chat.id)}
            >
              <span className="chat-title">{chat.title}</span>
              <span className="hint">
                {chat.documents.length} {chat.documents.length === 1 ? 'file' : 'files'} ·{' '}
                {new Date(chat.updatedAt).toLocaleDateString()}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="hint privacy">
        Chats belong to this browser only and are deleted when left unused
        {sessionTtlHours === undefined ? '' : ` for ${unusedFor(sessionTtlHours)}`}.
      </p>
      {chats.length > 0 ? (
        confirming ? (
          <div className="confirm">
            <span>Forget all your chats and files for good?</span>
            <button
              type="button"
              className="button button-danger"
              onClick={() => {
                setConfirming(false);
                onForgetAll();
              }}
            >
              Forget all
            </button>
            <button type="button" className="button button-ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="link-button" onClick={() => setConfirming(true)}>
            Forget all my chats
          </button>
        )
      ) : null}
    </nav>
  );
}
