import { Hono } from 'hono';
import { z } from 'zod';
import type { RagEvent } from '../../core/events.ts';
import { toHttpError } from '../http-errors.ts';
import { readJson } from '../read-json.ts';
import type { SessionEnv } from '../sessions.ts';
import { createSseStream, sseHeaders } from '../sse-stream.ts';
import type { RouteContext } from './route-context.ts';

const questionSchema = z.object({ question: z.string().trim().min(1).max(4000) }).strict();

/** `POST /api/chats/:chatId/messages`: ask a question; the answer streams back as SSE. */
export function messageRoutes({ service, logger, pingMs }: RouteContext): Hono<SessionEnv> {
  return new Hono<SessionEnv>().post('/:chatId/messages', async (c) => {
    const { question } = await readJson(c.req.raw, questionSchema);
    const sse = createSseStream({ signal: c.req.raw.signal, pingMs });
    let events: AsyncGenerator<RagEvent>;
    try {
      events = await service.ask(c.var.sessionId, c.req.param('chatId'), question, { signal: sse.signal });
    } catch (error) {
      sse.close();
      throw error;
    }
    void (async () => {
      try {
        for await (const event of events) sse.send(event);
      } catch (error) {
        const { body } = toHttpError(error);
        sse.send({ type: 'error', error: body.error, message: body.message });
        logger.error('answer_failed', { code: body.error });
      } finally {
        sse.close();
      }
    })();
    return c.body(sse.body, 200, sseHeaders);
  });
}
