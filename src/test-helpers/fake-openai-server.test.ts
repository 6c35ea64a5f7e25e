import OpenAI, { AuthenticationError, NotFoundError, RateLimitError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, hashEmbedding, startFakeOpenAIServer } from './fake-openai-server.ts';
import { setupFakeOpenAIServer } from './setup-fake-openai-server.ts';

let server: FakeOpenAIServer;
let client: OpenAI;

beforeEach(async () => {
  server = await startFakeOpenAIServer({ apiKey: 'sk-test' });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: server.url, maxRetries: 0 });
});
afterEach(async () => {
  await server.close();
});

function post(path: string, body: unknown, key = 'sk-test'): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

/** Splits a raw SSE body into its `data:` payloads. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

describe('startFakeOpenAIServer', () => {
  it('serves deterministic embeddings in input order through the SDK, honouring dimensions', async () => {
    const response = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['alpha beta', 'gamma'],
      dimensions: 8,
      encoding_format: 'float',
    });
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.data[0]?.embedding).toHaveLength(8);
    expect(Float32Array.from(response.data[1]?.embedding ?? [])).toEqual(hashEmbedding('gamma', 8));
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    // The SDK's default base64 encoding decodes to the same vectors.
    const base64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'gamma' });
    expect(base64.data[0]?.embedding).toHaveLength(1536);
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/embeddings', '/v1/embeddings']);
    expect(server.requests[0]?.body).toMatchObject({ dimensions: 8, input: ['alpha beta', 'gamma'] });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('gives texts sharing words more similar vectors', () => {
    const cosine = (a: Float32Array, b: Float32Array) =>
      a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
    const query = hashEmbedding('reinforcement learning reward', 256);
    const related = hashEmbedding('the reward model in reinforcement learning', 256);
    const unrelated = hashEmbedding('a recipe for lemon cake', 256);
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated));
    expect(cosine(query, query)).toBeCloseTo(1, 5);
  });

  it('streams real SSE: a role delta, content deltas, a finish reason, then [DONE]', async () => {
    server.configure({ reply: 'Hello brave world', chunk: (reply) => reply.split(/(?= )/) });
    const response = await post('/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.slice(1, -1).map((chunk) => chunk.choices[0].delta.content)).toEqual([
      'Hello',
      ' brave',
      ' world',
    ]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('answers without streaming, and lists its models', async () => {
    server.configure({ reply: (body) => `You said ${String(body.messages.at(-1)?.content)}` });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]?.message.content).toBe('You said ping');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('text-embedding-3-small');
  });

  it('rejects a wrong key with OpenAI’s 401 body and an unknown model with 404 model_not_found', async () => {
    const wrong = await post('/chat/completions', { model: 'gpt-4o-mini', messages: [] }, 'sk-wrong');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: {
        message: expect.stringContaining('Incorrect API key provided'),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    const badClient = new OpenAI({ apiKey: 'sk-wrong', baseURL: server.url, maxRetries: 0 });
    await expect(badClient.models.list()).rejects.toBeInstanceOf(AuthenticationError);
    const missing = client.chat.completions.create({
      model: 'gpt-9',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('plays queued faults once each, on the chosen endpoint only', async () => {
    server.fail({ kind: 'rate-limit', retryAfterMs: 1500 }, { times: 2, endpoint: 'embeddings' });
    const first = await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.headers.get('retry-after-ms')).toBe('1500');
    expect((await first.json()).error.code).toBe('rate_limit_exceeded');
    // A chat request does not consume the embeddings fault.
    const chat = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(chat.choices[0]?.finish_reason).toBe('stop');
    await expect(
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }),
    ).rejects.toBeInstanceOf(RateLimitError);
    expect((await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' })).status).toBe(200);

    server.fail({ kind: 'server-error', status: 503 });
    expect((await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' })).status).toBe(503);
    server.fail({ kind: 'content-filter' });
    const filtered = await post('/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(filtered.status).toBe(400);
    expect((await filtered.json()).error.code).toBe('content_filter');
  });

  it('forgets requests, faults and option changes on reset', async () => {
    server.configure({ reply: 'changed' });
    server.fail({ kind: 'server-error' });
    await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' });
    server.fail({ kind: 'server-error' });
    server.reset();
    expect(server.requests).toEqual([]);
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Fake answer to: ping');
    expect(server.requests).toHaveLength(1);
  });

  it('cuts a stream midway: some chunks arrive, then the socket closes without finish_reason or [DONE]', async () => {
    server.configure({ reply: 'one two three four five' });
    server.fail({ kind: 'cut-stream', afterChunks: 2 });
    const response = await post('/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    let text = '';
    const decoder = new TextDecoder();
    const read = async () => {
      for (;;) {
        const part = await reader?.read();
        if (!part || part.done) return;
        text += decoder.decode(part.value);
      }
    };
    await expect(read()).rejects.toThrow();
    const data = sseData(text);
    expect(data).not.toContain('[DONE]');
    expect(data.map((payload) => JSON.parse(payload).choices[0].delta.content)).toEqual(['', 'one', ' two']);
    expect(server.requests[0]?.outcome).toBe('server-cut');
  });

  it('records a client that hangs up mid-stream', async () => {
    server.configure({ reply: 'a b c d e f g h', tokenDelayMs: 20 });
    const response = await post('/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    const request = server.requests[0];
    expect(request).toBeDefined();
    if (request) expect(await server.settled(request)).toBe('client-closed');
  });
});

describe('the fake in llama.cpp, Ollama and vLLM wire forms', () => {
  const fake = setupFakeOpenAIServer({ models: ['tiny'] });
  const root = () => fake.url.replace(/\/v1$/, '');
  const chat = (body: Record<string, unknown>) =>
    fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Hello there' }], ...body }),
    });

  it('llama.cpp: /props, /tokenize, and an overflow as HTTP 200 with an error line then [DONE]', async () => {
    fake.configure({ flavor: 'llama.cpp', contextWindow: 10 });
    expect(await (await fetch(`${root()}/props`)).json()).toMatchObject({
      default_generation_settings: { n_ctx: 10 },
    });
    const tokens = await fetch(`${root()}/tokenize`, {
      method: 'POST',
      body: JSON.stringify({ content: 'abcdef' }),
    });
    expect(((await tokens.json()) as { tokens: number[] }).tokens).toHaveLength(2);
    const response = await chat({ stream: true, max_tokens: 8 });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(
      /^error: \{"code":400,"message":"request \(\d+ tokens\) exceeds the available context size \(10 tokens\)/,
    );
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('Ollama: /api/show with num_ctx, a bare JSON error line mid-stream, and a silently cut prompt', async () => {
    fake.configure({ flavor: 'ollama', ollamaNumCtx: 2048, contextWindow: 10 });
    const show = (await (
      await fetch(`${root()}/api/show`, { method: 'POST', body: '{"model":"tiny"}' })
    ).json()) as {
      parameters: string;
      model_info: Record<string, unknown>;
    };
    expect(show.parameters).toMatch(/^num_ctx\s+2048$/m);
    expect(show.model_info['llama.context_length']).toBe(131_072);
    fake.fail({ kind: 'stream-error', afterChunks: 1, message: 'boom' }, { endpoint: 'chat' });
    const text = await (await chat({ stream: true, max_tokens: 8 })).text();
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '{"error":{"message":"boom","type":"api_error","param":null,"code":null}}',
    );
    expect(fake.requests.at(-1)?.promptCut).toBe(true);
  });

  it('vLLM: max_model_len in the model list and the context-length 400', async () => {
    fake.configure({ flavor: 'vllm', contextWindow: 10 });
    const list = (await (await fetch(`${fake.url}/models`)).json()) as { data: { max_model_len: number }[] };
    expect(list.data[0]?.max_model_len).toBe(10);
    const response = await chat({ max_tokens: 8 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        type: 'BadRequestError',
        code: 400,
        message: expect.stringMatching(/maximum context length is 10 tokens/),
      },
    });
  });

  it('an embeddings-only server answers chat with 501, and a reply over max_tokens ends with length', async () => {
    fake.configure({ flavor: 'llama.cpp', embeddingsOnly: true });
    expect((await chat({})).status).toBe(501);
    fake.configure({ embeddingsOnly: false, reply: 'a b c d' });
    const text = await (await chat({ stream: true, max_tokens: 2 })).text();
    expect(text).toContain('"finish_reason":"length"');
    expect(text).not.toContain(' c');
  });
});
