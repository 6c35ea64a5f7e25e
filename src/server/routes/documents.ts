import { Hono } from 'hono';
import { toHttpError } from '../http-errors.ts';
import { readUpload } from '../read-upload.ts';
import type { SessionEnv } from '../sessions.ts';
import { createSseStream, sseHeaders } from '../sse-stream.ts';
import { type RouteContext, wantsEventStream } from './route-context.ts';

/**
 * `POST /api/chats/:chatId/documents`: upload a file; JSON when done, or its progress as SSE.
 * `GET …/documents/:documentId/file`: the original as uploaded; `GET …/documents/:documentId/layout`: the text
 * that passage offsets point into and where its runs lie on the pages, for the viewer.
 */
export function documentRoutes({ config, service, pingMs }: RouteContext): Hono<SessionEnv> {
  return new Hono<SessionEnv>()
    .get('/:chatId/documents/:documentId/file', async (c) => {
      const file = await service.documentFile(
        c.var.sessionId,
        c.req.param('chatId'),
        c.req.param('documentId'),
      );
      // node:sqlite hands out plain ArrayBuffer-backed bytes.
      return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': file.contentType,
        'Content-Disposition': 'inline',
        'X-Content-Type-Options': 'nosniff',
        // An uploaded file is the user's content: opened directly, it may not run anything on this origin.
        'Content-Security-Policy': 'sandbox',
        'Cache-Control': 'private, no-store',
      });
    })
    .get('/:chatId/documents/:documentId/layout', async (c) => {
      const layout = await service.documentLayout(
        c.var.sessionId,
        c.req.param('chatId'),
        c.req.param('documentId'),
      );
      c.header('Cache-Control', 'private, no-store');
      return c.json(layout);
    })
    .post('/:chatId/documents', async (c) => {
      const sessionId = c.var.sessionId;
      const chatId = c.req.param('chatId');
      // Ownership first: a stranger's upload is refused before its body is read.
      await service.requireChat(sessionId, chatId);
      const upload = await readUpload(c.req.raw, { maxBytes: config.server.maxUploadBytes });

      if (!wantsEventStream(c.req.raw)) {
        const summary = await service.ingest(sessionId, chatId, upload, { signal: c.req.raw.signal });
        return c.json(summary, 201);
      }

      const sse = createSseStream({ signal: c.req.raw.signal, pingMs });
      let markStarted = () => {};
      const started = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      const ingestion = service.ingest(sessionId, chatId, upload, {
        signal: sse.signal,
        onProgress: (event) => {
          sse.send(event);
          markStarted();
        },
      });
      ingestion
        .then(
          (document) => sse.send({ type: 'document', document }),
          (error: unknown) => {
            const { body } = toHttpError(error);
            sse.send({ type: 'error', error: body.error, message: body.message });
          },
        )
        .finally(() => sse.close());
      // Headers go out with the first progress event, so a file that cannot even be opened gets a real 4xx.
      try {
        await Promise.race([started, ingestion]);
      } catch (error) {
        sse.close();
        throw error;
      }
      return c.body(sse.body, 200, sseHeaders);
    });
}
