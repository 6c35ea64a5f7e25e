import type { Config } from '../../config.ts';
import type { Rag } from '../../pipeline/create-rag.ts';
import type { ChatStore } from '../../storage/chat-store.ts';
import type { ChatService } from '../chat-service.ts';
import type { Logger } from '../logger.ts';

/** What every resource's routes are built from, made once by `createApp`. */
export interface RouteContext {
  config: Config;
  rag: Rag;
  service: ChatService;
  /** For health only: routes change data through `service`. */
  store: ChatStore;
  logger: Logger;
  /** Keep-alive comment interval of event streams; `undefined` takes the stream's default. */
  pingMs: number | undefined;
}

/** Whether the client asked for a Server-Sent Events response. */
export function wantsEventStream(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/event-stream');
}
