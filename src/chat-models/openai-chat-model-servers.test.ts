import { describe, expect, it } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { createPipeline } from '../pipeline/create-pipeline.ts';
import { createSearchIndex } from '../retrieval/search-index.ts';
import { fakeTemplateTokens, fakeTokenCount } from '../test-helpers/fake-openai-server.ts';
import { setupFakeOpenAIServer } from '../test-helpers/setup-fake-openai-server.ts';
import type { ChatRequest, FinishReason } from './chat-model.ts';
import { createOpenAIChatModel, type OpenAIChatModelOptions } from './openai-chat-model.ts';

const server = setupFakeOpenAIServer({ models: ['tiny-llama'] });

const request: ChatRequest = {
  messages: [{ role: 'user', content: 'What is GRPO?' }],
  question: 'What is GRPO?',
  query: 'What is GRPO?',
  sources: [],
  kind: 'question',
  overviews: [],
  maxTokens: 64,
};

function model(options: OpenAIChatModelOptions = {}) {
  return createOpenAIChatModel({ baseURL: server.url, retryBaseDelayMs: 1, ...options });
}

async function run(stream: AsyncIterable<string>): Promise<{ text: string; error?: DocchatError }> {
  let text = '';
  try {
    for await (const delta of stream) text += delta;
    return { text };
  } catch (error) {
    if (!(error instanceof DocchatError)) throw error;
    return { text, error };
  }
}

const chatRequests = () => server.requests.filter((entry) => entry.path === '/v1/chat/completions');

describe('the OpenAI chat model against llama.cpp, Ollama and vLLM wire forms', () => {
  it('reports llama.cpp’s in-stream context overflow as context_overflow, once, with what to do', async () => {
    server.configure({ flavor: 'llama.cpp', contextWindow: 40 });
    const { error } = await run(model().stream({ ...request, maxTokens: 64 }));
    expect(error?.code).toBe('context_overflow');
    expect(error?.message).toContain('exceeds the available context size (40 tokens)');
    expect(error?.message).toContain('DOCCHAT_CONTEXT_WINDOW');
    expect(error?.message).not.toMatch(/try again/i);
    expect(chatRequests()).toHaveLength(1);
  });

  it('reports vLLM’s and OpenAI’s context-size 400 as context_overflow without retrying', async () => {
    for (const flavor of ['vllm', 'openai'] as const) {
      server.reset();
      server.configure({ flavor, contextWindow: 40, models: ['tiny-llama'] });
      const { error } = await run(model().stream(request));
      expect(error?.code, flavor).toBe('context_overflow');
      expect(error?.message).toContain('maximum context length is 40 tokens');
      expect(chatRequests()).toHaveLength(1);
    }
  });

  it('reads each server’s own stream error form and reports its message', async () => {
    for (const flavor of ['llama.cpp', 'ollama', 'vllm'] as const) {
      server.reset();
      server.configure({ flavor, models: ['tiny-llama'], reply: 'One two three four.' });
      server.fail(
        { kind: 'stream-error', afterChunks: 1, message: `${flavor} runner crashed` },
        { endpoint: 'chat' },
      );
      const { text, error } = await run(model().stream(request));
      expect(text, flavor).toBe('One');
      expect(error?.code, flavor).toBe('upstream_error');
      expect(error?.message, flavor).toContain(`${flavor} runner crashed`);
    }
  });

  it('does not retry a 501 and does not say try again', async () => {
    server.configure({ flavor: 'llama.cpp', embeddingsOnly: true });
    const { error } = await run(model().stream(request));
    expect(error?.code).toBe('upstream_error');
    expect(error?.details).toMatchObject({ status: 501, retryable: false });
    expect(error?.message).toContain('does not support completions');
    expect(error?.message).not.toMatch(/try again/i);
    expect(chatRequests()).toHaveLength(1);
  });

  it('sends max_tokens and reports a cut-off answer with finish reason length', async () => {
    server.configure({ flavor: 'llama.cpp', reply: 'a b c d e f g h i j' });
    let reason: FinishReason | undefined;
    const { text } = await run(
      model().stream({ ...request, maxTokens: 3 }, { onFinish: (finish) => (reason = finish) }),
    );
    expect(text).toBe('a b c');
    expect(reason).toBe('length');
    expect(chatRequests()[0]?.body).toMatchObject({ max_tokens: 3 });
  });

  it('gives up on a stream that stalls after one token, closing the upstream request', async () => {
    server.configure({ flavor: 'llama.cpp', reply: 'Tokens that never come.' });
    server.fail({ kind: 'stall', afterChunks: 1 }, { endpoint: 'chat' });
    const { text, error } = await run(model({ streamIdleTimeoutMs: 150 }).stream(request));
    expect(text).toBe('Tokens');
    expect(error?.code).toBe('stream_stalled');
    expect(error?.message).toContain('DOCCHAT_STREAM_IDLE_TIMEOUT_MS');
    const upstream = chatRequests()[0];
    expect(upstream && (await server.settled(upstream))).toBe('client-closed');
  });

  it('uses the one model a server serves, by its real name, and names the served ones otherwise', async () => {
    const only = model();
    await only.connect?.();
    expect(only.info.name).toBe('tiny-llama');
    expect((await run(only.stream(request))).error).toBeUndefined();
    expect(chatRequests()[0]?.body).toMatchObject({ model: 'tiny-llama' });

    const wrong = model({ model: 'llama3.2' });
    await expect(wrong.connect?.()).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(wrong.connect?.()).rejects.toThrow(/serves: tiny-llama/);

    server.configure({ models: ['a', 'b'] });
    await expect(model().connect?.()).rejects.toThrow(/several models \(a, b\).*DOCCHAT_CHAT_MODEL/);
  });

  it('knows the window and counts tokens the way each server does', async () => {
    server.configure({ flavor: 'llama.cpp', contextWindow: 1024 });
    const llama = await model().tokens?.();
    expect(llama?.contextWindow).toBe(1024);
    expect(await llama?.count('group relative policy optimization')).toBe(
      fakeTokenCount('group relative policy optimization'),
    );

    server.configure({ flavor: 'vllm', contextWindow: 8192 });
    expect((await model().tokens?.())?.contextWindow).toBe(8192);

    server.configure({ flavor: 'ollama', ollamaNumCtx: 4096 });
    const ollama = await model().tokens?.();
    expect(ollama?.contextWindow).toBe(4096);
    // No tokenizer route: a pessimistic estimate, never below the real count.
    const text = 'Ollama has no tokenize route, so this is estimated.';
    expect(await ollama?.count(text)).toBeGreaterThanOrEqual(fakeTokenCount(text));
    server.configure({ ollamaNumCtx: undefined });
    expect((await model().tokens?.())?.contextWindow).toBe(2048);

    server.configure({ flavor: 'openai', models: ['gpt-4o-mini'] });
    const known = await model({ model: 'gpt-4o-mini' }).tokens?.();
    expect(known?.contextWindow).toBe(128_000);
    expect(await model({ model: 'gpt-4o-mini', contextWindow: 3000 }).tokens?.()).toMatchObject({
      contextWindow: 3000,
    });
  });

  it('answers a ten-question conversation in a 1,024-token window with no prompt cut and max_tokens on every call', async () => {
    server.configure({
      flavor: 'llama.cpp',
      contextWindow: 1024,
      reply: (body) =>
        String(body.messages.at(-1)?.content).startsWith('Conversation:')
          ? 'What does GRPO compare rewards against?'
          : 'GRPO compares each answer with its group [1]. See also [9].',
    });
    const sentence = (i: number) =>
      `Passage sentence ${i} explains that group relative policy optimization scores answers against each other.`;
    const chunks = Array.from({ length: 12 }, (_, c) => {
      const text = Array.from({ length: 14 }, (_, i) => sentence(c * 14 + i)).join(' ');
      return {
        id: `d#${c}`,
        documentId: 'd',
        source: 'paper.pdf',
        page: c + 1,
        start: c * 2000,
        end: c * 2000 + text.length,
        text,
      };
    });
    const index = createSearchIndex({ embedder: null, mode: 'lexical' });
    index.add(chunks, null);
    const pipeline = createPipeline({ retriever: index, chatModel: model(), maxAnswerTokens: 256 });
    const history: { role: 'user' | 'assistant'; content: string }[] = [];
    for (let turn = 0; turn < 10; turn++) {
      const question =
        turn === 0 ? 'What does group relative policy optimization do?' : 'And how does it score them?';
      let answer = '';
      let given = 0;
      for await (const event of pipeline.ask(question, { history })) {
        expect(event.type).not.toBe('error');
        if (event.type === 'sources') given = event.sources.length;
        if (event.type === 'done') answer = event.answer;
      }
      expect(given).toBeGreaterThan(0);
      // The model cited a passage it was not given; the marker is gone.
      expect(answer).not.toContain('[9]');
      history.push({ role: 'user', content: question }, { role: 'assistant', content: answer });
    }
    const calls = chatRequests();
    expect(calls.length).toBeGreaterThanOrEqual(10);
    for (const call of calls) {
      const body = call.body as { max_tokens?: number };
      expect(typeof body.max_tokens).toBe('number');
      expect((call.promptTokens ?? Infinity) + (body.max_tokens ?? 0)).toBeLessThanOrEqual(1024);
      expect(call.promptCut).toBeUndefined();
    }
    expect(fakeTemplateTokens).toBeLessThan(10);
  });
});
