import type { RagEvent } from '../core/events.ts';

/** Headers of every event stream (the last one stops nginx-style proxies from buffering). */
export const sseHeaders = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/** A server-sent event stream of {@link RagEvent}s that notices when its reader goes away. */
export interface SseStream {
  /** The response body. */
  readonly body: ReadableStream<Uint8Array>;
  /** Fires when the request's signal fires or the reader cancels the body (the client disconnected). */
  readonly signal: AbortSignal;
  /** Queues one event; a no-op once the stream is closed or cancelled. */
  send(event: RagEvent): void;
  /** Ends the stream and stops the keep-alive pings. Idempotent. */
  close(): void;
}

const encoder = new TextEncoder();

/**
 * Makes an event stream: each event is `event: <type>\ndata: <JSON>\n\n`, and a `: ping` comment goes out
 * every `pingMs` (default 15 s) so proxies keep idle streams open.
 */
export function createSseStream(options: { signal?: AbortSignal; pingMs?: number } = {}): SseStream {
  const controller = new AbortController();
  let sink: ReadableStreamDefaultController<Uint8Array> | undefined;
  let open = true;
  let ping: ReturnType<typeof setInterval> | undefined;

  const finish = () => {
    open = false;
    if (ping !== undefined) clearInterval(ping);
    ping = undefined;
    options.signal?.removeEventListener('abort', onAbort);
  };
  const onAbort = () => {
    if (open) {
      finish();
      closeSink();
    }
    controller.abort(options.signal?.reason);
  };
  const closeSink = () => {
    try {
      sink?.close();
    } catch {
      // Already closed or cancelled by the reader: nothing left to end.
    }
  };
  const write = (text: string) => {
    if (!open || sink === undefined) return;
    try {
      sink.enqueue(encoder.encode(text));
    } catch {
      finish();
    }
  };

  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      sink = streamController;
    },
    cancel(reason) {
      finish();
      controller.abort(reason);
    },
  });
  if (options.signal?.aborted) onAbort();
  else {
    options.signal?.addEventListener('abort', onAbort, { once: true });
    ping = setInterval(() => write(': ping\n\n'), options.pingMs ?? 15_000);
  }

  return {
    body,
    signal: controller.signal,
    send(event) {
      write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    },
    close() {
      if (!open) return;
      finish();
      closeSink();
    },
  };
}
