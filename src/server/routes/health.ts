import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import type { RouteContext } from './route-context.ts';

/** `GET /api/health`: liveness, what the server answers with, and whether its database can be used. */
export function healthRoutes({ rag, config, store }: RouteContext): Hono {
  const retriever = rag.createIndex().mode;
  const kind = config.database.url === undefined ? 'sqlite' : 'postgres';
  return new Hono().get('/', async (c) =>
    c.json({
      status: 'ok',
      version: packageJson.version,
      model: rag.model,
      embedder: rag.embedderName,
      retriever,
      database: { kind, ...(await store.health()) },
    }),
  );
}
