import { serve } from '@hono/node-server';
import { type Config, loadConfig } from '../config.ts';
import { toDocchatError } from '../core/errors.ts';
import { providerFailureFields } from '../core/openai-errors.ts';
import { createLoaderPool } from '../loaders/create-loader-pool.ts';
import { createRag } from '../pipeline/create-rag.ts';
import type { ChatStore } from '../storage/chat-store.ts';
import { openChatStore } from '../storage/open-chat-store.ts';
import { createApp } from './create-app.ts';
import { createJsonLogger } from './logger.ts';

/** How long shutdown waits for open connections before cutting them. */
const shutdownGraceMs = 5_000;

const logger = createJsonLogger();

function fail(event: string, error: unknown): never {
  const failure = toDocchatError(error);
  logger.error(event, { code: failure.code, message: failure.message });
  process.exit(1);
}

/** Opens the store; while the database cannot be reached yet (it may start after us), waits and tries again. */
async function openStoreWhenReachable(config: Config): Promise<ChatStore> {
  const onIdleError = (error: Error) => logger.error('database_connection_lost', { message: error.message });
  while (true) {
    try {
      return await openChatStore(config, { onIdleError });
    } catch (error) {
      if (toDocchatError(error).code !== 'storage_unavailable') throw error;
      logger.error('database_unavailable', { retryInSeconds: config.database.retryAfterSeconds });
      await new Promise((resolve) => setTimeout(resolve, config.database.retryAfterSeconds * 1000));
    }
  }
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  fail('config_invalid', error);
}

// A file-size limit (ulimit -f) must show up as a failed write (storage_full), not kill the server.
process.on('SIGXFSZ', () => {});

/** A storage failure at start: one line on stderr naming the file and what to do, and exit status 2. */
function refuseStorage(error: unknown): never {
  const failure = toDocchatError(error);
  process.stderr.write(`docchat: ${failure.message}\n`);
  process.exit(2);
}

let store: ChatStore;
try {
  store = await openStoreWhenReachable(config);
  // What a crash cut off is marked as such: answers `interrupted`, uploads `failed` (with PostgreSQL, only
  // what instances that are no longer running left behind).
  const recovered = await store.recoverInterrupted();
  if (recovered.messages + recovered.uploads > 0) logger.info('recovered_interrupted', recovered);
} catch (error) {
  refuseStorage(error);
}
// Uploads are parsed in worker threads: a PDF read on this thread would stall every streaming answer.
const loaderPool = createLoaderPool({
  maxHeapMb: config.limits.parserMaxHeapMb,
  recycleAfterJobs: config.limits.parserRecycleJobs,
  recycleHeapMb: config.limits.parserRecycleHeapMb,
  maxQueued: config.limits.parseQueueSize,
  maxQueuedPerKey: config.limits.parseQueuePerSession,
  maxHeld: config.limits.maxIngesting,
});
const rag = createRag(config, {
  loader: loaderPool,
  onProviderFailure: (role, error) => logger.error('provider_failed', providerFailureFields(role, error)),
});
// The model server is asked once what it serves, without holding up the start; a failure leaves the server up,
// shows in /api/health, and is asked again at the first question.
if (rag.modelStatus() !== null) {
  rag
    .connect()
    .then(() => logger.info('model_server_ready', { model: rag.model.name }))
    .catch((error: unknown) => {
      const failure = toDocchatError(error);
      logger.error('model_server_unavailable', { code: failure.code, message: failure.message });
    });
}
const docchat = createApp({ config, rag, store, logger });
await docchat.sweepExpiredSessions();

const server = serve(
  { fetch: docchat.app.fetch, port: config.server.port, hostname: config.server.host },
  (info) => {
    logger.info('listening', {
      url: `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`,
      model: rag.model.name,
      embedder: rag.embedderName,
      dataDir: config.server.dataDir,
      database: config.database.url === undefined ? 'sqlite' : 'postgres',
      instance: config.instanceId,
    });
  },
);
server.on('error', (error) => fail('server_failed', error));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('shutting_down', { signal });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Answers and uploads in flight are aborted (answers are stored as stopped), then idle keep-alive sockets go.
  await docchat.close();
  await loaderPool.close();
  if ('closeIdleConnections' in server) server.closeIdleConnections();
  // Not unref'd: a socket Node no longer counts as work (a drained early 413) must not let the process die
  // before the database is closed.
  const grace = setTimeout(() => {
    if ('closeAllConnections' in server) server.closeAllConnections();
  }, shutdownGraceMs);
  await closed;
  clearTimeout(grace);
  await store.close();
  logger.info('stopped', {});
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
