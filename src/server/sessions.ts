import { createHash, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ChatStore } from '../storage/chat-store.ts';

/** The cookie that carries a browser's session id. */
export const sessionCookieName = 'docchat_session';

/** Hono environment of the API routes: the session middleware sets `sessionId` (the stored key). */
export type SessionEnv = { Variables: { sessionId: string } };

/** 32 random bytes in base64url: 256 bits, well above the 128 the contract asks for. */
const cookiePattern = /^[A-Za-z0-9_-]{43}$/;

/** Writes to the store for `lastSeenAt` at most this often per session, not on every request. */
const touchIntervalMs = 60_000;

/** The store never sees the cookie itself, so a leaked database cannot be replayed as sessions. */
function storedId(cookie: string): string {
  return createHash('sha256').update(cookie).digest('base64url');
}

function isSecure(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(c.req.url).protocol === 'https:';
}

function writeCookie(c: Context, cookie: string, ttlMs: number): void {
  setCookie(c, sessionCookieName, cookie, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isSecure(c),
    path: '/',
    maxAge: Math.floor(ttlMs / 1000),
  });
}

/** The stored session id behind the request's cookie, if the cookie is well-formed (it may be unknown). */
export function sessionIdFromCookie(c: Context): string | null {
  const cookie = getCookie(c, sessionCookieName);
  return cookie !== undefined && cookiePattern.test(cookie) ? storedId(cookie) : null;
}

/** Tells the browser to drop its session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookieName, { path: '/', secure: isSecure(c), httpOnly: true, sameSite: 'Lax' });
}

/**
 * Finds the request's live session or starts a new one (a fresh unguessable cookie), and sets `sessionId`.
 * A session idle for longer than `ttlMs` counts as gone even before the sweep deletes it.
 */
export function sessionMiddleware(options: {
  store: ChatStore;
  now: () => number;
  ttlMs: number;
  /** Called before a new session is started; throws to refuse it (the per-address quota). */
  beforeNewSession?: (c: Context) => void;
}): MiddlewareHandler<SessionEnv> {
  const { store, now, ttlMs } = options;
  return async (c, next) => {
    const time = now();
    const existingId = sessionIdFromCookie(c);
    const session = existingId === null ? null : await store.getSession(existingId);
    if (session !== null && time - session.lastSeenAt <= ttlMs) {
      if (time - session.lastSeenAt >= touchIntervalMs) {
        await store.touchSession(session.id, time);
        const cookie = getCookie(c, sessionCookieName);
        if (cookie !== undefined) writeCookie(c, cookie, ttlMs);
      }
      c.set('sessionId', session.id);
    } else {
      options.beforeNewSession?.(c);
      const cookie = randomBytes(32).toString('base64url');
      const id = storedId(cookie);
      await store.createSession({ id, createdAt: time, lastSeenAt: time });
      writeCookie(c, cookie, ttlMs);
      c.set('sessionId', id);
    }
    await next();
  };
}
