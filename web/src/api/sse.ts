/** One server-sent event as received: its `event` name (`message` when absent) and its `data` lines joined by `\n`. */
export interface SseMessage {
  event: string;
  data: string;
}

/** An incremental SSE parser: feed it decoded text in any chunking, it returns each complete event once. */
export interface SseParser {
  /** Adds text; returns the events completed by it (an event ends at a blank line). */
  push(text: string): SseMessage[];
}

/**
 * Creates an SSE parser following the WHATWG event-stream rules: lines end in `\n`, `\r\n` or `\r` (even when
 * a `\r\n` pair is split across two chunks), `:` starts a comment, one optional space after the colon is
 * dropped, several `data` lines join with `\n`, and an event without data is not dispatched.
 */
export function createSseParser(): SseParser {
  let buffer = '';
  // A chunk that ended in `\r` may be followed by the `\n` of the same line ending in the next chunk.
  let skipLeadingNewline = false;
  let eventName = '';
  let dataLines: string[] = [];

  function handleLine(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (dataLines.length > 0) out.push({ event: eventName || 'message', data: dataLines.join('\n') });
      eventName = '';
      dataLines = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') dataLines.push(value);
  }

  return {
    push(text) {
      const out: SseMessage[] = [];
      let input = text;
      if (skipLeadingNewline && input.startsWith('\n')) input = input.slice(1);
      skipLeadingNewline = false;
      buffer += input;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const char = buffer[i];
        if (char !== '\n' && char !== '\r') continue;
        handleLine(buffer.slice(start, i), out);
        if (char === '\r') {
          if (i + 1 < buffer.length) {
            if (buffer[i + 1] === '\n') i++;
          } else {
            skipLeadingNewline = true;
          }
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}

/**
 * Reads a byte stream of server-sent events, decoding UTF-8 across chunk boundaries. An event still open when
 * the stream ends is dropped, as the SSE rules require.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
  } finally {
    // Leaving the loop early (a consumer's `break` or an abort) must release the connection too.
    await reader.cancel().catch(() => {});
  }
}
