import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { hashEmbedding } from '../test-helpers/fake-openai-server.ts';
import { setupFakeOpenAIServer } from '../test-helpers/setup-fake-openai-server.ts';
import { createOpenAIEmbedder, serverEmbeddingLimits } from './openai-embedder.ts';

const server = setupFakeOpenAIServer({ apiKey: 'sk-test' });

describe('createOpenAIEmbedder', () => {
  it('embeds in ONE call, in input order, with known dimensions; OpenAI limits for OpenAI only', async () => {
    expect(createOpenAIEmbedder({ apiKey: 'sk-test' }).limits).toEqual({
      maxInputs: 2048,
      maxTokensPerRequest: 300_000,
      maxTokensPerInput: 8191,
      concurrency: 4,
    });
    const embedder = createOpenAIEmbedder({ apiKey: 'sk-test', baseURL: server.url });
    expect(embedder.name).toBe('text-embedding-3-small');
    expect(embedder.dimensions).toBe(1536);
    expect(embedder.limits).toEqual(serverEmbeddingLimits);
    const vectors = await embedder.embed(['first text', 'second text', 'third']);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      input: ['first text', 'second text', 'third'],
      encoding_format: 'float',
    });
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
    expect(vectors[2]).toEqual(hashEmbedding('third', 1536));
  });

  it('sends the dimensions option and names itself after it', async () => {
    const embedder = createOpenAIEmbedder({
      apiKey: 'sk-test',
      baseURL: server.url,
      model: 'text-embedding-3-large',
      dimensions: 256,
    });
    expect(embedder.name).toBe('text-embedding-3-large@256');
    expect(embedder.dimensions).toBe(256);
    const [vector] = await embedder.embed(['x']);
    expect(vector).toHaveLength(256);
    expect(server.requests[0]?.body).toMatchObject({ dimensions: 256 });
  });

  it('discovers the dimensions of an unknown model from its first answer, and needs no key with a base URL', async () => {
    server.configure({
      apiKey: undefined,
      models: ['nomic-embed-text'],
      embeddingDimensions: { 'nomic-embed-text': 768 },
      minimal: true,
    });
    const embedder = createOpenAIEmbedder({ baseURL: server.url, model: 'nomic-embed-text' });
    expect(embedder.dimensions).toBe(0);
    const vectors = await embedder.embed(['a', 'b']);
    expect(vectors.map((vector) => vector.length)).toEqual([768, 768]);
    expect(embedder.dimensions).toBe(768);
    // The server is given another model under the same name: the learned length follows it.
    server.configure({ embeddingDimensions: { 'nomic-embed-text': 384 } });
    expect((await embedder.embed(['c']))[0]?.length).toBe(384);
    expect(embedder.dimensions).toBe(384);
    server.configure({ embeddingDimensions: { 'nomic-embed-text': 768 } });
    // The SDK insists on a key; a placeholder is sent, never an OPENAI_API_KEY from the environment.
    expect(server.requests[0]?.headers.authorization).toBe('Bearer not-needed');
  });

  it('sorts by index when a server answers out of order', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.url, maxRetries: 0 });
    const original = client.embeddings.create.bind(client.embeddings);
    client.embeddings.create = (async (body: OpenAI.Embeddings.EmbeddingCreateParams, options?: unknown) => {
      const response = await original(body, options as undefined);
      return { ...response, data: [...response.data].reverse() };
    }) as typeof client.embeddings.create;
    const embedder = createOpenAIEmbedder({ client, model: 'text-embedding-3-small' });
    const vectors = await embedder.embed(['one', 'two', 'three']);
    expect(vectors).toEqual(['one', 'two', 'three'].map((text) => hashEmbedding(text, 1536)));
  });

  it('maps failures: wrong key, unknown model, rate limit with its hint, server error; and does not retry itself', async () => {
    const wrongKey = createOpenAIEmbedder({ apiKey: 'sk-wrong-key-1234', baseURL: server.url });
    const auth = await wrongKey.embed(['x']).catch((error: unknown) => error);
    expect(auth).toBeInstanceOf(DocchatError);
    expect(auth).toMatchObject({ code: 'auth_failed' });
    expect((auth as Error).message).not.toContain('sk-wrong');

    const embedder = createOpenAIEmbedder({ apiKey: 'sk-test', baseURL: server.url, model: 'no-such-model' });
    await expect(embedder.embed(['x'])).rejects.toMatchObject({
      code: 'model_not_found',
      details: { model: 'no-such-model' },
    });

    const ok = createOpenAIEmbedder({ apiKey: 'sk-test', baseURL: server.url });
    server.fail({ kind: 'rate-limit', retryAfterMs: 1200 });
    await expect(ok.embed(['x'])).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterMs: 1200 },
    });
    server.fail({ kind: 'server-error' });
    await expect(ok.embed(['x'])).rejects.toMatchObject({ code: 'upstream_error' });
    expect(server.requests).toHaveLength(4);
  });

  it('stops the request when aborted', async () => {
    server.fail({ kind: 'hang' }, { endpoint: 'embeddings' });
    const embedder = createOpenAIEmbedder({ apiKey: 'sk-test', baseURL: server.url });
    const controller = new AbortController();
    const pending = embedder.embed(['x'], { signal: controller.signal });
    // Aborts once the request has reached the server (a busy machine may take a while to send it).
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    const request = server.requests[0];
    expect(request && (await server.settled(request))).toBe('client-closed');
  });

  it('times out a server that never answers', async () => {
    server.fail({ kind: 'hang' }, { endpoint: 'embeddings' });
    const embedder = createOpenAIEmbedder({ apiKey: 'sk-test', baseURL: server.url, timeoutMs: 50 });
    await expect(embedder.embed(['x'])).rejects.toMatchObject({ code: 'upstream_timeout' });
  });

  it('refuses to start without a key for OpenAI, or with nonsense dimensions', () => {
    expect(() => createOpenAIEmbedder()).toThrow(expect.objectContaining({ code: 'auth_failed' }));
    expect(() => createOpenAIEmbedder({ apiKey: 'k', dimensions: -1 })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});
