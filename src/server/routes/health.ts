import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import type { RouteContext } from './route-context.ts';

/** `GET /api/health`: liveness, what the server answers with, and whether its storage is usable. */
export function healthRoutes({ rag, store }: RouteContext): Hono {
  const retriever = rag.createIndex().mode;
  return new Hono().get('/', async (c) => {
    const storage = await store.health();
    // A damaged database answers 503, so that a load balancer or a watchdog stops sending users to it.
    return c.json(
      {
        status: storage.status === 'ok' ? 'ok' : 'error',
        version: packageJson.version,
        model: rag.model,
        embedder: rag.embedderName,
        retriever,
        storage,
      },
      storage.status === 'ok' ? 200 : 503,
    );
  });
}
