import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, readSse, type SseMessage } from './sse.ts';

function parseAll(chunks: string[]): SseMessage[] {
  const parser = createSseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('createSseParser', () => {
  it('reads named events with JSON data and skips comments', () => {
    const wire =
      ': ping\n\nevent: sources\ndata: {"type":"sources"}\n\nevent: text-delta\ndata: {"delta":"hi"}\n\n';
    expect(parseAll([wire])).toEqual([
      { event: 'sources', data: '{"type":"sources"}' },
      { event: 'text-delta', data: '{"delta":"hi"}' },
    ]);
  });

  it('joins several data lines, drops one leading space only, and defaults the name to message', () => {
    expect(parseAll(['data:  a\ndata:b\n\n'])).toEqual([{ event: 'message', data: ' a\nb' }]);
  });

  it('accepts CRLF and CR line endings, even a CRLF split across chunks', () => {
    expect(parseAll(['event: x\r', '\ndata: 1\r', '\n\r', '\n'])).toEqual([{ event: 'x', data: '1' }]);
    expect(parseAll(['event: y\rdata: 2\r\r'])).toEqual([{ event: 'y', data: '2' }]);
  });

  it('does not dispatch an event without data or an unfinished event', () => {
    expect(parseAll(['event: nothing\n\n', 'event: half\ndata: 1\n'])).toEqual([]);
  });

  it('gives the same events however the text is chunked', () => {
    const events = [
      { event: 'progress', data: '{"done":1,"total":3}' },
      { event: 'text-delta', data: '{"delta":"naïve 💡 [1]\\n"}' },
      { event: 'done', data: '{"answer":"x"}' },
    ];
    const wire = `: hello\r\n\r\n${events.map((e) => `event: ${e.event}\r\ndata: ${e.data}\r\n\r\n`).join('')}`;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: wire.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let start = 0;
        for (const point of points) {
          chunks.push(wire.slice(start, point));
          start = point;
        }
        chunks.push(wire.slice(start));
        expect(parseAll(chunks)).toEqual(events);
      }),
    );
  });
});

describe('readSse', () => {
  it('decodes UTF-8 split inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('event: t\ndata: é💡\n\n');
    const cut = bytes.indexOf(0xf0) + 2;
    const messages: SseMessage[] = [];
    for await (const message of readSse(streamOf([bytes.slice(0, cut), bytes.slice(cut)])))
      messages.push(message);
    expect(messages).toEqual([{ event: 't', data: 'é💡' }]);
  });
});
