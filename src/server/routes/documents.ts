import { Hono } from 'hono';
import { DocchatError } from '../../core/errors.ts';
import { toHttpError } from '../http-errors.ts';
import { readUpload } from '../read-upload.ts';
import type { SessionEnv } from '../sessions.ts';
import { createSseStream, sseHeaders } from '../sse-stream.ts';
import { type RouteContext, wantsEventStream } from './route-context.ts';

/** An `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID is typical). */
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key`, if any; `invalid_request` when malformed. */
function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.headers.get('idempotency-key');
  if (key === null) return undefined;
  if (!idempotencyKeyPattern.test(key)) {
    throw new DocchatError(
      'invalid_request',
      'The Idempotency-Key header must be 1 to 255 visible ASCII characters, such as a UUID.',
    );
  }
  return key;
}

/**
 * `POST /api/chats/:chatId/documents`: upload a file; JSON when done, or its progress as SSE. With an
 * `Idempotency-Key` already used in this chat, the document it made is returned again (200) and nothing is added.
 * `GET …/documents/:documentId/file`: the original as uploaded; `GET …/documents/:documentId/layout`: the text
 * that passage offsets point into and where its runs lie on the pages, for the viewer.
 * `DELETE /api/chats/:chatId/uploads/:uploadId`: dismiss an upload that failed.
 */
export function documentRoutes({ config, service, pingMs }: RouteContext): Hono<SessionEnv> {
  return new Hono<SessionEnv>()
    .delete('/:chatId/uploads/:uploadId', async (c) => {
      await service.discardUpload(c.var.sessionId, c.req.param('chatId'), c.req.param('uploadId'));
      return c.body(null, 204);
    })
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
      const idempotencyKey = idempotencyKeyOf(c.req.raw);
      // Ownership first: a stranger's upload is refused before its body is read.
      await service.requireChat(sessionId, chatId);
      const upload = await readUpload(c.req.raw, { maxBytes: config.server.maxUploadBytes });
      const replayed =
        idempotencyKey === undefined ? null : await service.findDocument(sessionId, chatId, idempotencyKey);
      const keyed = idempotencyKey === undefined ? {} : { idempotencyKey };

      if (!wantsEventStream(c.req.raw)) {
        if (replayed !== null) return c.json(replayed, 200);
        const summary = await service.ingest(sessionId, chatId, upload, {
          signal: c.req.raw.signal,
          ...keyed,
        });
        return c.json(summary, 201);
      }
      if (replayed !== null) {
        const replay = createSseStream({ signal: c.req.raw.signal, pingMs });
        replay.send({ type: 'document', document: replayed });
        replay.close();
        return c.body(replay.body, 200, sseHeaders);
      }

      const sse = createSseStream({ signal: c.req.raw.signal, pingMs });
      let markStarted = () => {};
      const started = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      const ingestion = service.ingest(sessionId, chatId, upload, {
        ...keyed,
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
