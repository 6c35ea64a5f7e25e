/**
 * A `fetch` for the OpenAI SDK that rewrites the error forms of OpenAI-compatible servers inside an event stream
 * into OpenAI's own `data: {"error": {...}}`, which the SDK throws as an `APIError` with the server's message:
 * - llama.cpp: an SSE line `error: {"code":400,"message":"...","type":"exceed_context_size_error"}`;
 * - Ollama: a bare JSON line `{"error":{"message":"...","type":"api_error"}}` without `data:`;
 * - vLLM (older builds): `data: {"object":"error","message":"...","code":400}` without the `error` wrapper.
 * Everything else passes through untouched, byte for byte.
 */
export function normalizeStreamErrors(fetchImpl: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || response.body === null || !type.includes('text/event-stream')) return response;
    return new Response(response.body.pipeThrough(new TextDecoderStream()).pipeThrough(lineRewriter()), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** Rewrites one line of an event stream (without its line break); see {@link normalizeStreamErrors}. */
export function rewriteStreamLine(line: string): string {
  const llamaCpp = /^error:\s?(\{.*\})\s*$/.exec(line);
  if (llamaCpp?.[1] !== undefined) return `data: {"error":${llamaCpp[1]}}`;
  if (line.startsWith('{') && line.includes('"error"')) return `data: ${line.trim()}\n`;
  if (line.startsWith('data:') && line.includes('"object":"error"')) {
    try {
      const body: unknown = JSON.parse(line.slice(5));
      if (typeof body === 'object' && body !== null && !('error' in body))
        return `data: ${JSON.stringify({ error: body })}`;
    } catch {
      // Not JSON after all: the SDK reports it.
    }
  }
  return line;
}

function lineRewriter(): TransformStream<string, Uint8Array> {
  const encoder = new TextEncoder();
  let pending = '';
  return new TransformStream({
    transform(text, controller) {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      controller.enqueue(encoder.encode(lines.map((line) => `${rewriteStreamLine(line)}\n`).join('')));
    },
    flush(controller) {
      // A last line without its break (Ollama's error ends the body) still has to form an event.
      if (pending !== '') controller.enqueue(encoder.encode(`${rewriteStreamLine(pending)}\n\n`));
    },
  });
}
