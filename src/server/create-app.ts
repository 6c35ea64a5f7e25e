import { Hono } from 'hono';
import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { Config } from '../config.ts';
import { DocchatError } from '../core/errors.ts';
import type { RagEvent } from '../core/events.ts';
import { acceptedFileTypes } from '../loaders/file-types.ts';
import type { Rag } from '../pipeline/create-rag.ts';
import type { ChatStore } from '../storage/chat-store.ts';
import { type ChatDetail, toChatSummary, toMessage } from './api-shapes.ts';
import { type ChatService, createChatService } from './chat-service.ts';
import { errorResponse, methodNotAllowedResponse, toHttpError } from './http-errors.ts';
import { createIndexCache } from './index-cache.ts';
import { type Logger, silentLogger } from './logger.ts';
import { readJson } from './read-json.ts';
import { readUpload } from './read-upload.ts';
import { clearSessionCookie, type SessionEnv, sessionIdFromCookie, sessionMiddleware } from './sessions.ts';
import { createSseStream, sseHeaders } from './sse-stream.ts';
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
  /** Most chat indexes kept in memory (least recently used go first; they reload from the store). Default 128. */
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

const questionSchema = z.object({ question: z.string().trim().min(1).max(4000) }).strict();

/** Every API path and the methods it answers, for 405s. */
const apiRoutes: Record<string, readonly string[]> = {
  '/health': ['GET'],
  '/config': ['GET'],
  '/session': ['DELETE'],
  '/chats': ['GET', 'POST'],
  '/chats/:chatId': ['GET', 'DELETE'],
  '/chats/:chatId/documents': ['POST'],
  '/chats/:chatId/messages': ['POST'],
};

function wantsEventStream(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/event-stream');
}

/** Builds the HTTP API (under `/api`) and the static UI (everything else); see docs/API.md. */
export function createApp(deps: AppDeps): DocchatApp {
  const { config, rag, store } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const indexes = createIndexCache({ rag, store, maxEntries: deps.maxCachedIndexes ?? 128 });
  const service: ChatService = createChatService({
    rag,
    store,
    indexes,
    now,
    logger,
    sessionTtlMs: config.server.sessionTtlMs,
  });
  const maxBytes = config.server.maxUploadBytes;
  const retrieverMode = rag.createIndex().mode;

  const app = new Hono();
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
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
    const response = errorResponse(
      failure,
      failure.code === 'file_too_large' ? { Connection: 'close' } : undefined,
    );
    // Keep a session cookie set before the failure, so the browser does not get a new session each time.
    for (const cookie of c.res.headers.getSetCookie()) response.headers.append('Set-Cookie', cookie);
    return status === 499 ? new Response(null, { status }) : response;
  });

  const api = new Hono<SessionEnv>();
  const session = sessionMiddleware({ store, now, ttlMs: config.server.sessionTtlMs });

  api.get('/health', (c) =>
    c.json({
      status: 'ok',
      version: packageJson.version,
      model: rag.model,
      embedder: rag.embedderName,
      retriever: retrieverMode,
    }),
  );

  api.get('/config', (c) =>
    c.json({
      maxUploadBytes: maxBytes,
      accept: { extensions: acceptedFileTypes.extensions, mimeTypes: acceptedFileTypes.mimeTypes },
      model: rag.model,
    }),
  );

  api.delete('/session', async (c) => {
    const sessionId = sessionIdFromCookie(c);
    if (sessionId !== null) await service.forgetSession(sessionId);
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  // Hono's `/chats/*` also matches `/chats` itself.
  api.use('/chats/*', session);

  api.get('/chats', async (c) => {
    const chats = await service.listChats(c.var.sessionId);
    return c.json({ chats: chats.map(toChatSummary) });
  });

  api.post('/chats', async (c) => c.json(toChatSummary(await service.createChat(c.var.sessionId)), 201));

  api.get('/chats/:chatId', async (c) => {
    const { chat, messages } = await service.getChat(c.var.sessionId, c.req.param('chatId'));
    const detail: ChatDetail = { ...toChatSummary(chat), messages: messages.map(toMessage) };
    return c.json(detail);
  });

  api.delete('/chats/:chatId', async (c) => {
    await service.deleteChat(c.var.sessionId, c.req.param('chatId'));
    return c.body(null, 204);
  });

  api.post('/chats/:chatId/documents', async (c) => {
    const sessionId = c.var.sessionId;
    const chatId = c.req.param('chatId');
    // Ownership first: a stranger's upload is refused before its body is read.
    await service.requireChat(sessionId, chatId);
    const upload = await readUpload(c.req.raw, { maxBytes });

    if (!wantsEventStream(c.req.raw)) {
      const summary = await service.ingest(sessionId, chatId, upload, { signal: c.req.raw.signal });
      return c.json(summary, 201);
    }

    const sse = createSseStream({ signal: c.req.raw.signal, pingMs: deps.pingMs });
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

  api.post('/chats/:chatId/messages', async (c) => {
    const { question } = await readJson(c.req.raw, questionSchema);
    const sse = createSseStream({ signal: c.req.raw.signal, pingMs: deps.pingMs });
    let events: AsyncGenerator<RagEvent>;
    try {
      events = await service.ask(c.var.sessionId, c.req.param('chatId'), question, { signal: sse.signal });
    } catch (error) {
      sse.close();
      throw error;
    }
    void (async () => {
      try {
        for await (const event of events) sse.send(event);
      } catch (error) {
        const { body } = toHttpError(error);
        sse.send({ type: 'error', error: body.error, message: body.message });
        logger.error('answer_failed', { code: body.error });
      } finally {
        sse.close();
      }
    })();
    return c.body(sse.body, 200, sseHeaders);
  });

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
