import { Hono } from 'hono';
import { acceptedFileTypes } from '../../loaders/file-types.ts';
import type { RouteContext } from './route-context.ts';

/** `GET /api/config`: what the UI needs to know before the first upload. */
export function configRoutes({ config, rag }: RouteContext): Hono {
  return new Hono().get('/', (c) =>
    c.json({
      maxUploadBytes: config.server.maxUploadBytes,
      accept: { extensions: acceptedFileTypes.extensions, mimeTypes: acceptedFileTypes.mimeTypes },
      model: rag.model,
      // Chats of a session unused this long are deleted, with everything in them.
      sessionTtlHours: config.server.sessionTtlMs / 3_600_000,
    }),
  );
}
