import { Hono } from 'hono';
import type { Config } from '../config.ts';
import { DocchatError } from '../core/errors.ts';
import type { Rag } from '../pipeline/create-rag.ts';
import type { ChatStore } from '../storage/chat-store.ts';
import { type ChatService, createChatService } from './chat-service.ts';
import { clientAddress } from './client-address.ts';
import { errorResponse, methodNotAllowedResponse, toHttpError } from './http-errors.ts';
import { createIndexCache } from './index-cache.ts';
import { type Logger, silentLogger } from './logger.ts';
import { measureStream } from './measure-stream.ts';
import { createQuotaGuard } from './quotas.ts';
import { configRoutes } from './routes/app-config.ts';
import { chatRoutes } from './routes/chats.ts';
import { documentRoutes } from './routes/documents.ts';
import { healthRoutes } from './routes/health.ts';
import { messageRoutes } from './routes/messages.ts';
import type { RouteContext } from './routes/route-context.ts';
import { sessionRoutes } from './routes/session.ts';
import { sameOriginGuard, securityHeaders } from './security.ts';
import { type SessionEnv, sessionMiddleware } from './sessions.ts';
import { staticUi } from './static-ui.ts';

/** What the app is built from; everything else has a default. */
export interface AppDeps {
  config: Config;
  rag: Rag;
  store: ChatStore;
  /** Epoch milliseconds; inject to test expiry. Default `Date.now`. */
  now?: () => number;
  logger?: Logger;
  /** Where the built UI is. Default `dist/web`. */
  staticRoot?: string;
  /** Most chat indexes kept in memory (least recently used go first; they reload from the store). No bound by default. */
  maxCachedIndexes?: number;
  /** How often expired sessions are deleted; 0 disables the timer (call `sweepExpiredSessions`). */
  sweepIntervalMs?: number;
  /** Keep-alive comment interval of event streams. Default 15 s. */
  pingMs?: number;
}

/** The HTTP app and the handles to run it: the sweep, and shutdown. */
export interface DocchatApp {
  app: Hono;
  /** Deletes sessions idle longer than the TTL; returns how many chats went with them. */
  sweepExpiredSessions(): Promise<number>;
  /** Stops the sweep timer and aborts uploads and answers in flight (their messages are stored as stopped). */
  close(): Promise<void>;
}

/** Every API path and the methods it answers, for 405s. */
const apiRoutes: Record<string, readonly string[]> = {
  '/health': ['GET'],
  '/config': ['GET'],
  '/session': ['DELETE'],
  '/chats': ['GET', 'POST'],
  '/chats/:chatId': ['GET', 'DELETE'],
  '/chats/:chatId/documents': ['POST'],
  '/chats/:chatId/documents/:documentId/file': ['GET'],
  '/chats/:chatId/documents/:documentId/layout': ['GET'],
  '/chats/:chatId/messages': ['POST'],
  '/chats/:chatId/uploads/:uploadId': ['DELETE'],
};

/** Extra headers of an error response: a refused upload closes the connection; an outage says when to retry. */
function errorHeaders(failure: DocchatError): Record<string, string> | undefined {
  if (failure.code === 'file_too_large') return { Connection: 'close' };
  if (failure.code === 'storage_unavailable') {
    const seconds = failure.details.retryAfterSeconds;
    return { 'Retry-After': String(typeof seconds === 'number' ? seconds : 1) };
  }
  return undefined;
}

/** Builds the HTTP API (under `/api`) and the static UI (everything else); see docs/API.md. */
export function createApp(deps: AppDeps): DocchatApp {
  const { config, rag, store } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const indexes = createIndexCache({
    rag,
    store,
    maxBytes: config.quotas.indexCacheBytes,
    logger,
    ...(deps.maxCachedIndexes === undefined ? {} : { maxEntries: deps.maxCachedIndexes }),
  });
  const quotas = createQuotaGuard(config.quotas, now);
  const service: ChatService = createChatService({
    rag,
    store,
    indexes,
    now,
    logger,
    sessionTtlMs: config.server.sessionTtlMs,
    quotas,
    historyMessages: config.quotas.historyMessages,
    answerSaveIntervalMs: config.server.answerSaveIntervalMs,
  });

  const app = new Hono();
  app.use(securityHeaders());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // Which instance answered, for operators (and tests) behind a load balancer.
    c.res.headers.set('X-Docchat-Instance', config.instanceId);
    const fields = { method: c.req.method, path: c.req.path, status: c.res.status };
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    const body = c.res.body;
    if (body === null || !(c.res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      logger.info('request', { ...fields, ms: elapsed() });
      return;
    }
    // An event stream is logged when it ends, so `ms` is the whole answer, not the time to its headers.
    c.res = new Response(
      measureStream(body, (outcome) => logger.info('request', { ...fields, ms: elapsed(), stream: outcome })),
      c.res,
    );
  });
  app.onError((error, c) => {
    const { status, error: failure } = toHttpError(error);
    if (failure.kind === 'internal') {
      logger.error('request_failed', {
        method: c.req.method,
        path: c.req.path,
        code: failure.code,
        cause: failure.cause instanceof Error ? (failure.cause.stack ?? failure.cause.message) : undefined,
      });
    }
    // A refused upload's body may still be arriving: closing the connection beats draining megabytes.
    const response = errorResponse(failure, errorHeaders(failure));
    // Keep a session cookie set before the failure, so the browser does not get a new session each time.
    for (const cookie of c.res.headers.getSetCookie()) response.headers.append('Set-Cookie', cookie);
    return status === 499 ? new Response(null, { status }) : response;
  });

  const context: RouteContext = { config, rag, service, store, logger, pingMs: deps.pingMs };
  const api = new Hono<SessionEnv>();
  api.use(sameOriginGuard());
  api.route('/health', healthRoutes(context));
  api.route('/config', configRoutes(context));
  api.route('/session', sessionRoutes(context));
  // Hono's `/chats/*` also matches `/chats` itself.
  api.use(
    '/chats/*',
    sessionMiddleware({
      store,
      now,
      ttlMs: config.server.sessionTtlMs,
      beforeNewSession: (c) => quotas.takeNewSession(clientAddress(c, config.quotas.trustProxyHops)),
    }),
  );
  api.route('/chats', chatRoutes(context));
  api.route('/chats', documentRoutes(context));
  api.route('/chats', messageRoutes(context));

  for (const [path, methods] of Object.entries(apiRoutes)) {
    api.all(path, (c) => methodNotAllowedResponse(c.req.method, `/api${path}`, methods));
  }
  api.all('*', (c) => {
    throw new DocchatError(
      'not_found',
      `There is no API route ${c.req.method} ${c.req.path}; see docs/API.md.`,
    );
  });

  app.route('/api', api);
  app.use('*', staticUi(deps.staticRoot));

  const sweepIntervalMs =
    deps.sweepIntervalMs ?? Math.min(Math.max(config.server.sessionTtlMs / 4, 1000), 600_000);
  const sweepExpiredSessions = async () => {
    const chats = await service.sweepExpiredSessions();
    if (chats > 0) logger.info('sessions_swept', { chats });
    return chats;
  };
  const timer =
    sweepIntervalMs > 0
      ? setInterval(() => {
          sweepExpiredSessions().catch((error: unknown) =>
            logger.error('sweep_failed', { error: String(error) }),
          );
        }, sweepIntervalMs)
      : undefined;
  timer?.unref();

  return {
    app,
    sweepExpiredSessions,
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await service.close();
      indexes.clear();
    },
  };
}
