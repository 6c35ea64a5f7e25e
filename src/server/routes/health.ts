import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import type { RouteContext } from './route-context.ts';

/** `GET /api/health`: liveness, what the server answers with, and whether its storage is usable. */
export function healthRoutes({ rag, store, config }: RouteContext): Hono {
  const retriever = rag.createIndex().mode;
  const kind = config.database.url === undefined ? 'sqlite' : 'postgres';
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
        storage: { kind, ...storage },
      },
      storage.status === 'ok' ? 200 : 503,
    );
  });
}
