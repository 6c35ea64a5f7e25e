import { Hono } from 'hono';
import { type ChatDetail, toChatSummary, toMessage } from '../api-shapes.ts';
import type { SessionEnv } from '../sessions.ts';
import type { RouteContext } from './route-context.ts';

/** `/api/chats` and `/api/chats/:chatId`: list, create, read and delete a session's chats. */
export function chatRoutes({ service }: RouteContext): Hono<SessionEnv> {
  return new Hono<SessionEnv>()
    .get('/', async (c) => {
      const chats = await service.listChats(c.var.sessionId);
      return c.json({ chats: chats.map(toChatSummary) });
    })
    .post('/', async (c) => c.json(toChatSummary(await service.createChat(c.var.sessionId)), 201))
    .get('/:chatId', async (c) => {
      const { chat, messages } = await service.getChat(c.var.sessionId, c.req.param('chatId'));
      const detail: ChatDetail = { ...toChatSummary(chat), messages: messages.map(toMessage) };
      return c.json(detail);
    })
    .delete('/:chatId', async (c) => {
      await service.deleteChat(c.var.sessionId, c.req.param('chatId'));
      return c.body(null, 204);
    });
}
