import { useCallback, useEffect, useState } from 'react';
import type { ChatSummary } from '../api/api-types.ts';
import type { ApiClient } from '../api/client.ts';

/** The session's chats, newest first, and a way to reload them after a change. */
export interface ChatsState {
  chats: ChatSummary[];
  error: string | null;
  refresh: () => Promise<void>;
}

/** Keeps the list of this browser's chats (`GET /api/chats`). */
export function useChats(api: ApiClient): ChatsState {
  const [chats, setChats] = useState<ChatSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setChats(await api.listChats());
      setError(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'Could not load your chats.');
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { chats, error, refresh };
}
