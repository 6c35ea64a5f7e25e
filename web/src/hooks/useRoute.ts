import { useCallback, useEffect, useState } from 'react';

const chatPath = /^\/chats\/([^/]+)\/?$/;

/** The chat id in a path such as `/chats/abc`, or `null` for any other path. */
export function chatIdFromPath(pathname: string): string | null {
  const match = chatPath.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** The chat named by the address bar, and a way to change it (so a refresh reopens the same chat). */
export function useRoute(): {
  chatId: string | null;
  navigate: (chatId: string | null, options?: { replace?: boolean }) => void;
} {
  const [chatId, setChatId] = useState(() => chatIdFromPath(window.location.pathname));

  useEffect(() => {
    const handlePopState = () => setChatId(chatIdFromPath(window.location.pathname));
    window.addEventListener('popstate', handlePopState);
    return () => window.removeEventListener('popstate', handlePopState);
  }, []);

  const navigate = useCallback((next: string | null, options: { replace?: boolean } = {}) => {
    const path = next === null ? '/' : `/chats/${encodeURIComponent(next)}`;
    if (window.location.pathname !== path) {
      if (options.replace) window.history.replaceState(null, '', path);
      else window.history.pushState(null, '', path);
    }
    setChatId(next);
  }, []);

  return { chatId, navigate };
}
