import { beforeEach, describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { setupFakeOpenAIServer } from '../test-helpers/setup-fake-openai-server.ts';
import type { ChatRequest } from './chat-model.ts';
import { createOpenAIChatModel, type OpenAIChatModelOptions } from './openai-chat-model.ts';

const server = setupFakeOpenAIServer({ apiKey: 'sk-test' });

beforeEach(() => {
  server.configure({ reply: 'The answer is 42 [1].' });
});

const request: ChatRequest = {
  messages: [
    { role: 'system', content: 'Answer from the sources.' },
    { role: 'user', content: 'What is the answer?' },
  ],
  question: 'What is the answer?',
  query: 'What is the answer?',
  sources: [],
  kind: 'question',
  overviews: [],
};

function model(options: OpenAIChatModelOptions = {}) {
  return createOpenAIChatModel({
    apiKey: 'sk-test',
    baseURL: server.url,
    model: 'gpt-4o-mini',
    retryBaseDelayMs: 1,
    ...options,
  });
}

/** Collects the deltas, and the error that ended the stream if any. */
async function collect(stream: AsyncIterable<string>): Promise<{ deltas: string[]; error?: DocchatError }> {
  const deltas: string[] = [];
  try {
    for await (const delta of stream) deltas.push(delta);
    return { deltas };
  } catch (error) {
    if (!(error instanceof DocchatError)) throw error;
    return { deltas, error };
  }
}

describe('createOpenAIChatModel', () => {
  it('streams the content deltas of a normal answer and sends the messages as given', async () => {
    const chat = model({ temperature: 0.2 });
    expect(chat.info).toEqual({ name: 'gpt-4o-mini', extractive: false });
    const { deltas, error } = await collect(chat.stream(request));
    expect(error).toBeUndefined();
    expect(deltas).toEqual(['The', ' answer', ' is', ' 42', ' [1].']);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      temperature: 0.2,
      messages: request.messages,
    });
  });

  it('works with a keyless OpenAI-compatible server that omits usage and uses odd ids', async () => {
    server.configure({ apiKey: undefined, minimal: true, models: ['llama3.2'] });
    const { deltas } = await collect(
      createOpenAIChatModel({ baseURL: server.url, model: 'llama3.2' }).stream(request),
    );
    expect(deltas.join('')).toBe('The answer is 42 [1].');
    expect(server.requests[0]?.body).not.toHaveProperty('temperature');
  });

  it('maps a rejected key to auth_failed without retrying', async () => {
    const { deltas, error } = await collect(model({ apiKey: 'sk-wrong-1234' }).stream(request));
    expect(deltas).toEqual([]);
    expect(error?.code).toBe('auth_failed');
    expect(error?.message).not.toContain('sk-wrong');
    expect(server.requests).toHaveLength(1);
  });

  it('maps an unknown model to model_not_found naming it', async () => {
    const { error } = await collect(model({ model: 'gpt-9' }).stream(request));
    expect(error?.code).toBe('model_not_found');
    expect(error?.message).toContain('gpt-9');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 (after its retry-after) and a 500 before the first token, then streams', async () => {
    server.fail({ kind: 'rate-limit', retryAfterMs: 2 });
    server.fail({ kind: 'server-error' });
    const { deltas, error } = await collect(model().stream(request));
    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe('The answer is 42 [1].');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after its retries with the last error', async () => {
    server.fail({ kind: 'server-error', status: 502 }, { times: 2 });
    const { error } = await collect(model({ retries: 1 }).stream(request));
    expect(error?.code).toBe('upstream_error');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a stream cut before its first token, but not one cut after', async () => {
    server.fail({ kind: 'cut-stream', afterChunks: 0 });
    const recovered = await collect(model().stream(request));
    expect(recovered.deltas.join('')).toBe('The answer is 42 [1].');
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    server.fail({ kind: 'cut-stream', afterChunks: 2 });
    const cut = await collect(model().stream(request));
    expect(cut.deltas).toEqual(['The', ' answer']);
    expect(cut.error?.code).toBe('stream_interrupted');
    expect(server.requests).toHaveLength(1);
  });

  it('treats a stream that ends without a finish reason as interrupted, retrying it only before any text', async () => {
    server.fail({ kind: 'no-finish', afterChunks: 0 });
    server.fail({ kind: 'error-event', afterChunks: 0 });
    const retried = await collect(model().stream(request));
    expect(retried.error).toBeUndefined();
    expect(retried.deltas.join('')).toBe('The answer is 42 [1].');
    expect(server.requests).toHaveLength(3);

    server.requests.length = 0;
    server.fail({ kind: 'no-finish', afterChunks: 2 });
    const cut = await collect(model().stream(request));
    expect(cut.deltas).toEqual(['The', ' answer']);
    expect(cut.error?.code).toBe('stream_interrupted');
    expect(server.requests).toHaveLength(1);
  });

  it('reports an error event inside the stream with the server’s message, not retried after text', async () => {
    server.fail({ kind: 'error-event', afterChunks: 1 });
    const { deltas, error } = await collect(model().stream(request));
    expect(deltas).toEqual(['The']);
    expect(error?.code).toBe('upstream_error');
    expect(error?.message).toContain('The server had an error while processing your request.');
    expect(server.requests).toHaveLength(1);
  });

  it('maps refusals: a content-filter 400, an invalid-prompt 400, and a content_filter finish', async () => {
    server.fail({ kind: 'content-filter' });
    expect((await collect(model().stream(request))).error?.code).toBe('request_refused');
    server.fail({ kind: 'invalid-prompt' });
    expect((await collect(model().stream(request))).error?.code).toBe('request_refused');
    server.fail({ kind: 'refusal', afterChunks: 1 });
    const filtered = await collect(model().stream(request));
    expect(filtered.deltas).toEqual(['The']);
    expect(filtered.error?.code).toBe('request_refused');
    expect(server.requests).toHaveLength(3);
  });

  it('stops the upstream request when aborted midway', async () => {
    server.configure({ reply: 'one two three four five six seven eight', tokenDelayMs: 15 });
    const controller = new AbortController();
    const deltas: string[] = [];
    const consume = async () => {
      for await (const delta of model().stream(request, { signal: controller.signal })) {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort();
      }
    };
    await expect(consume()).rejects.toMatchObject({ code: 'aborted' });
    expect(deltas).toEqual(['one', ' two']);
    const upstream = server.requests[0];
    expect(upstream && (await server.settled(upstream))).toBe('client-closed');
  });

  it('closes the upstream request when the caller stops reading early', async () => {
    server.configure({ reply: 'one two three four five six', tokenDelayMs: 15 });
    for await (const delta of model().stream(request)) {
      expect(delta).toBe('one');
      break;
    }
    const upstream = server.requests[0];
    expect(upstream && (await server.settled(upstream))).toBe('client-closed');
  });

  it('aborts while waiting for the first token, and never calls out when already aborted', async () => {
    server.configure({ firstTokenDelayMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const waiting = await collect(model().stream(request, { signal: controller.signal }));
    expect(waiting.error?.code).toBe('aborted');
    const upstream = server.requests[0];
    expect(upstream && (await server.settled(upstream))).toBe('client-closed');

    server.requests.length = 0;
    const early = await collect(model().stream(request, { signal: AbortSignal.abort() }));
    expect(early.error?.code).toBe('aborted');
    expect(server.requests).toHaveLength(0);
  });

  it('times out a server that never starts answering', async () => {
    server.fail({ kind: 'hang' });
    const { error } = await collect(model({ timeoutMs: 30, retries: 0 }).stream(request));
    expect(error?.code).toBe('model_timeout');
    expect(error?.message).toContain('DOCCHAT_FIRST_TOKEN_TIMEOUT_MS');
  });
});
