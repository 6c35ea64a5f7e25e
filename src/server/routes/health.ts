import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import type { RouteContext } from './route-context.ts';

/**
 * `GET /api/health`: liveness and what the server answers with. With a model server, `modelServer` is its last
 * known state (learnt from the calls made anyway, never checked per request) and `status` is `degraded` while
 * it is down; the HTTP status stays 200, since this server itself is up.
 */
export function healthRoutes({ rag }: RouteContext): Hono {
  const retriever = rag.createIndex().mode;
  return new Hono().get('/', (c) => {
    const modelServer = rag.modelStatus();
    return c.json({
      status: modelServer?.state === 'down' ? 'degraded' : 'ok',
      version: packageJson.version,
      model: rag.model,
      embedder: rag.embedderName,
      retriever,
      ...(modelServer === null
        ? {}
        : {
            modelServer: {
              ...modelServer,
              checkedAt:
                modelServer.checkedAt === null ? null : new Date(modelServer.checkedAt).toISOString(),
            },
          }),
    });
  });
}
