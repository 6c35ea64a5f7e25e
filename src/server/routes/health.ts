import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import type { RouteContext } from './route-context.ts';

/**
 * `GET /api/health`: liveness, what the server answers with, whether its storage is usable, and, with a model
 * server, `modelServer`: its last known state (learnt from the calls made anyway, never checked per request).
 * `status` is `degraded` while the model server is down (HTTP 200: this server itself is up) and `error` when
 * the storage is damaged (HTTP 503, so that a load balancer or a watchdog stops sending users to it).
 */
export function healthRoutes({ rag, store, config }: RouteContext): Hono {
  const retriever = rag.createIndex().mode;
  const kind = config.database.url === undefined ? 'sqlite' : 'postgres';
  return new Hono().get('/', async (c) => {
    const storage = await store.health();
    const modelServer = rag.modelStatus();
    return c.json(
      {
        status: storage.status !== 'ok' ? 'error' : modelServer?.state === 'down' ? 'degraded' : 'ok',
        version: packageJson.version,
        model: rag.model,
        embedder: rag.embedderName,
        retriever,
        storage: { kind, ...storage },
        ...(modelServer === null
          ? {}
          : {
              modelServer: {
                ...modelServer,
                checkedAt:
                  modelServer.checkedAt === null ? null : new Date(modelServer.checkedAt).toISOString(),
              },
            }),
      },
      storage.status === 'ok' ? 200 : 503,
    );
  });
}
