import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import type { RouteContext } from './route-context.ts';

/** `GET /api/health`: liveness and what the server answers with. */
export function healthRoutes({ rag }: RouteContext): Hono {
  const retriever = rag.createIndex().mode;
  return new Hono().get('/', (c) =>
    c.json({
      status: 'ok',
      version: packageJson.version,
      model: rag.model,
      embedder: rag.embedderName,
      retriever,
    }),
  );
}
