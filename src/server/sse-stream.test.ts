import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseStream } from './sse-stream.ts';
import { parseEvents } from './test-app.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('createSseStream', () => {
  it('writes each event as event/data lines and ends on close', async () => {
    const sse = createSseStream();
    sse.send({ type: 'text-delta', delta: 'Hel' });
    sse.send({ type: 'done', answer: 'Hello\nworld', model: { name: 'm', extractive: false } });
    sse.close();
    sse.send({ type: 'text-delta', delta: 'ignored after close' });
    const text = await new Response(sse.body).text();
    expect(text.startsWith('event: text-delta\ndata: {"type":"text-delta","delta":"Hel"}\n\n')).toBe(true);
    expect(parseEvents(text).map((event) => event.type)).toEqual(['text-delta', 'done']);
  });

  it('sends a ping comment on the interval and stops it on close', async () => {
    vi.useFakeTimers();
    const sse = createSseStream({ pingMs: 1000 });
    vi.advanceTimersByTime(2500);
    sse.close();
    vi.advanceTimersByTime(5000);
    expect(vi.getTimerCount()).toBe(0);
    expect(await new Response(sse.body).text()).toBe(': ping\n\n: ping\n\n');
  });

  it('fires its signal when the reader cancels, and when the request signal fires', async () => {
    const cancelled = createSseStream();
    expect(cancelled.signal.aborted).toBe(false);
    await cancelled.body.cancel('gone');
    expect(cancelled.signal.aborted).toBe(true);
    cancelled.send({ type: 'text-delta', delta: 'no-op' });

    const request = new AbortController();
    const followed = createSseStream({ signal: request.signal });
    request.abort();
    expect(followed.signal.aborted).toBe(true);
    expect(await new Response(followed.body).text()).toBe('');
  });
});
