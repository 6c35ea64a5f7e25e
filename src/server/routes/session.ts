import { Hono } from 'hono';
import { clearSessionCookie, sessionIdFromCookie } from '../sessions.ts';
import type { RouteContext } from './route-context.ts';

/** `DELETE /api/session`: forget this browser, with every chat, document and message it owns. */
export function sessionRoutes({ service }: RouteContext): Hono {
  return new Hono().delete('/', async (c) => {
    const sessionId = sessionIdFromCookie(c);
    if (sessionId !== null) await service.forgetSession(sessionId);
    clearSessionCookie(c);
    return c.body(null, 204);
  });
}
