import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted failure. Queue one with {@link FakeOpenAIServer.fail}; each matching request consumes one.
 * - `auth`: 401 with OpenAI's `invalid_api_key` body (the same as a wrong key).
 * - `rate-limit`: 429 `rate_limit_exceeded`, with `retry-after` (seconds) and `retry-after-ms` headers.
 * - `quota`: 429 `insufficient_quota` (an exhausted account; retrying does not help).
 * - `server-error`: a 5xx (500 by default) with OpenAI's `server_error` body.
 * - `content-filter`: 400 with code `content_filter` (Azure OpenAI's prompt-filter body).
 * - `invalid-prompt`: 400 with code `invalid_prompt` (OpenAI's usage-policy refusal body).
 * - `bad-request`: 400 `invalid_request_error` with the given message.
 * - `refusal`: a streamed chat answer that ends with `finish_reason: "content_filter"` after `afterChunks` deltas.
 * - `cut-stream`: the socket is destroyed after `afterChunks` content deltas (no finish_reason, no `[DONE]`);
 *   for a non-streaming request the socket is destroyed before any response.
 * - `error-event`: a stream that sends `afterChunks` deltas, then a `data: {"error": ...}` event and ends.
 * - `no-finish`: a stream that sends `afterChunks` deltas, then `[DONE]` without ever giving a finish_reason.
 * - `hang`: never answers (until the client gives up or the server closes).
 * - `stream-error`: `afterChunks` deltas, then the `flavor`'s own mid-stream error form: llama.cpp's SSE line
 *   `error: {"code":500,...}` then `data: [DONE]`; Ollama's bare JSON line `{"error":{...}}` and the end;
 *   vLLM's `data: {"error":{...,"code":500}}` then `data: [DONE]`; OpenAI's `data: {"error":{...}}`.
 * - `not-implemented`: llama.cpp's 501 `not_supported_error` body.
 * - `stall`: a stream that sends `afterChunks` deltas (default 1), then nothing more until the client leaves.
 */
export type FakeFault =
  | { kind: 'auth' }
  | { kind: 'rate-limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  | { kind: 'quota' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'content-filter' }
  | { kind: 'invalid-prompt' }
  | { kind: 'bad-request'; message: string }
  | { kind: 'refusal'; afterChunks?: number }
  | { kind: 'cut-stream'; afterChunks?: number }
  | { kind: 'error-event'; afterChunks?: number }
  | { kind: 'no-finish'; afterChunks?: number }
  | { kind: 'hang' }
  | { kind: 'stream-error'; afterChunks?: number; message?: string }
  | { kind: 'not-implemented' }
  | { kind: 'stall'; afterChunks?: number };

/** Whose wire forms the fake speaks beyond OpenAI's: its extra routes, error bodies and stream errors. */
export type FakeFlavor = 'openai' | 'llama.cpp' | 'ollama' | 'vllm';

/** Which endpoint a fault applies to. */
export type FakeEndpoint = 'chat' | 'embeddings' | 'models' | 'any';

/** The JSON body of a `POST /v1/chat/completions` request, as far as the fake reads it. */
export interface FakeChatBody {
  model: string;
  messages: { role: string; content: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

/** How the fake behaves; every field can be changed between requests with {@link FakeOpenAIServer.configure}. */
export interface FakeOpenAIServerOptions {
  /** When set, requests must send `Authorization: Bearer <apiKey>` or get OpenAI's 401. Default: any key, or none. */
  apiKey?: string;
  /** Model ids the server knows; others get OpenAI's 404 `model_not_found`. Default: {@link defaultFakeModels}. */
  models?: string[];
  /** Vector length per embedding model when the request has no `dimensions`; unknown models get 64. */
  embeddingDimensions?: Record<string, number>;
  /** The assistant's reply: a fixed text, or computed from the request. Default: `Fake answer to: <last user message>`. */
  reply?: string | ((body: FakeChatBody) => string);
  /** How the reply is cut into streamed deltas. Default: one delta per word, with its leading whitespace. */
  chunk?: (reply: string) => string[];
  /** Wait before the first byte of a chat answer (streamed or not). Default 0. */
  firstTokenDelayMs?: number;
  /** Wait before each streamed delta after the first. Default 0. */
  tokenDelayMs?: number;
  /** Wait before answering an embeddings request. Default 0. */
  embeddingDelayMs?: number;
  /** Most inputs accepted in one embeddings request (OpenAI: 2048); more get a 400. */
  maxEmbeddingInputs?: number;
  /** Leave out `usage` and use odd ids, as some OpenAI-compatible servers do. Default false. */
  minimal?: boolean;
  /**
   * Whose server to be. `llama.cpp`: `GET /props`, `POST /tokenize {content}`; `ollama`: `POST /api/show`,
   * `GET /api/ps`, no tokenizer; `vllm`: `max_model_len` in `/v1/models`, `POST /tokenize {model, prompt}`.
   * Default `openai` (none of these).
   */
  flavor?: FakeFlavor;
  /**
   * The model's window in tokens ({@link fakeTokenCount} per message plus {@link fakeTemplateTokens}, and the
   * requested `max_tokens`). A request over it gets the flavor's answer: llama.cpp HTTP 200 and an `error:` line
   * (context shift off), vLLM and OpenAI a 400, Ollama silently cuts the prompt (recorded as `promptCut`).
   */
  contextWindow?: number;
  /** Ollama's `num_ctx` parameter in `/api/show`; without it the model's trained length is shown only. */
  ollamaNumCtx?: number;
  /** Most tokens in one embedding input (llama.cpp's physical batch); longer ones get its 500. */
  maxEmbeddingInputTokens?: number;
  /** An embeddings-only server (llama.cpp with `--embeddings`): chat requests get its 501. */
  embeddingsOnly?: boolean;
}

/** Chat-template tokens the fake adds per message, as a real template does. */
export const fakeTemplateTokens = 4;

/** The fake's tokenizer: one token per three UTF-8 bytes (a real BPE packs English somewhat tighter). */
export function fakeTokenCount(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 3);
}

/** How a recorded request ended. */
export type FakeRequestOutcome = 'pending' | 'completed' | 'client-closed' | 'server-cut';

/** One request the fake received. `outcome` is updated in place when the exchange ends. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/embeddings`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or `undefined` for bodies that are empty or not JSON. */
  body: unknown;
  outcome: FakeRequestOutcome;
  /** Chat requests: the prompt's tokens as the fake counts them, and whether it had to cut the prompt (Ollama). */
  promptTokens?: number;
  promptCut?: boolean;
}

/** A running fake: point an OpenAI client at `url`. */
export interface FakeOpenAIServer {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:53124/v1`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Changes behaviour for later requests (merged into the current options). */
  configure(patch: Partial<FakeOpenAIServerOptions>): void;
  /** Queues a fault for the next `times` requests (default 1) to `endpoint` (default `any`). */
  fail(fault: FakeFault, options?: { times?: number; endpoint?: FakeEndpoint }): void;
  /** Forgets recorded requests and queued faults, and restores the options the server started with. */
  reset(): void;
  /** Resolves once the request has ended (completed, closed by the client, or cut by the server). */
  settled(request: RecordedRequest): Promise<FakeRequestOutcome>;
  /** Stops the server and drops any open connection. */
  close(): Promise<void>;
}

/** The models the fake knows by default. */
export const defaultFakeModels = [
  'gpt-4o-mini',
  'gpt-4o',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-embedding-ada-002',
];

const knownDimensions: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** The `error` object of the 401 OpenAI returns for a wrong key. */
export const invalidApiKeyError = {
  message:
    'Incorrect API key provided: sk-fake***. You can find your API key at https://platform.openai.com/account/api-keys.',
  type: 'invalid_request_error',
  param: null,
  code: 'invalid_api_key',
};

const fallbackDimensions = 64;

/**
 * Starts an OpenAI-compatible HTTP server on 127.0.0.1 (random port) speaking the real wire format:
 * `POST /v1/embeddings`, `POST /v1/chat/completions` (streamed as SSE or not) and `GET /v1/models`.
 * Embeddings are deterministic bag-of-words hashes, L2-normalized, so texts sharing words are similar.
 *
 * @example
 * const server = await startFakeOpenAIServer({ reply: 'Hi [1].', firstTokenDelayMs: 50, tokenDelayMs: 5 });
 * const chat = createOpenAIChatModel({ baseURL: server.url, apiKey: 'sk-test' });
 * server.fail({ kind: 'rate-limit', retryAfterMs: 10 }, { times: 2, endpoint: 'chat' });
 * // ... server.requests holds what the client sent; server.reset() between tests; await server.close() at the end.
 */
export async function startFakeOpenAIServer(
  options: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  let current: FakeOpenAIServerOptions = { ...options };
  const faults: { fault: FakeFault; endpoint: FakeEndpoint }[] = [];
  const requests: RecordedRequest[] = [];
  const settledPromises = new WeakMap<RecordedRequest, Promise<FakeRequestOutcome>>();
  let counter = 0;

  const takeFault = (endpoint: FakeEndpoint): FakeFault | undefined => {
    const index = faults.findIndex((entry) => entry.endpoint === 'any' || entry.endpoint === endpoint);
    if (index === -1) return undefined;
    return faults.splice(index, 1)[0]?.fault;
  };

  const server = createServer((req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: { ...req.headers },
      body: undefined,
      outcome: 'pending',
    };
    requests.push(record);
    settledPromises.set(
      record,
      new Promise((resolve) => {
        res.on('close', () => {
          if (record.outcome === 'pending')
            record.outcome = res.writableFinished ? 'completed' : 'client-closed';
          resolve(record.outcome);
        });
      }),
    );
    readBody(req)
      .then((raw) => {
        record.body = parseJson(raw);
        counter += 1;
        return handle(record, res, current, takeFault, counter);
      })
      .catch(() => {
        if (!res.headersSent) sendError(res, 500, serverError);
        else res.destroy();
      });
  });
  // The SDK keeps connections alive; a short timeout keeps `close()` quick even if a socket lingers.
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    configure(patch) {
      current = { ...current, ...patch };
    },
    reset() {
      requests.length = 0;
      faults.length = 0;
      current = { ...options };
    },
    fail(fault, { times = 1, endpoint = 'any' } = {}) {
      for (let i = 0; i < times; i++) faults.push({ fault, endpoint });
    },
    settled(request) {
      return settledPromises.get(request) ?? Promise.resolve(request.outcome);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

type FaultTaker = (endpoint: FakeEndpoint) => FakeFault | undefined;

async function handle(
  record: RecordedRequest,
  res: ServerResponse,
  options: FakeOpenAIServerOptions,
  takeFault: FaultTaker,
  counter: number,
): Promise<void> {
  const path = record.path.split('?')[0] ?? '';
  const endpoint: FakeEndpoint | undefined =
    record.method === 'POST' && path === '/v1/chat/completions'
      ? 'chat'
      : record.method === 'POST' && path === '/v1/embeddings'
        ? 'embeddings'
        : record.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))
          ? 'models'
          : undefined;
  if (endpoint === undefined && (await serveFlavorRoute(record, res, path, options))) return;
  if (endpoint === undefined) {
    sendError(res, 404, {
      message: `Invalid URL (${record.method} ${path})`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    return;
  }
  if (options.apiKey !== undefined && record.headers.authorization !== `Bearer ${options.apiKey}`) {
    sendError(res, 401, invalidApiKeyError);
    return;
  }
  const fault = takeFault(endpoint);
  const streaming = endpoint === 'chat' && isObject(record.body) && record.body.stream === true;
  if (fault && (await sendFault(fault, res, streaming))) {
    if (fault.kind === 'cut-stream') record.outcome = 'server-cut';
    return;
  }
  const models = options.models ?? defaultFakeModels;
  if (endpoint === 'models') {
    const id = path.slice('/v1/models/'.length);
    if (id === '') {
      sendJson(res, 200, { object: 'list', data: models.map((id) => flavorModelObject(id, options)) });
    } else if (models.includes(decodeURIComponent(id))) {
      sendJson(res, 200, modelObject(decodeURIComponent(id)));
    } else {
      sendError(res, 404, modelNotFound(decodeURIComponent(id)));
    }
    return;
  }
  const body = record.body;
  if (!isObject(body) || typeof body.model !== 'string') {
    sendError(res, 400, {
      message: 'you must provide a model parameter',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    return;
  }
  if (!models.includes(body.model)) {
    sendError(res, 404, modelNotFound(body.model));
    return;
  }
  if (endpoint === 'embeddings') {
    await sleep(options.embeddingDelayMs ?? 0, res);
    if (!res.destroyed) sendEmbeddings(res, body, options, counter);
    return;
  }
  const chatBody = body as FakeChatBody;
  if (options.embeddingsOnly) {
    sendJson(
      res,
      501,
      notSupported('This server does not support completions. Start it without `--embeddings`'),
    );
    return;
  }
  const promptTokens = Array.isArray(chatBody.messages)
    ? chatBody.messages.reduce(
        (sum, message) =>
          sum +
          fakeTemplateTokens +
          fakeTokenCount(typeof message.content === 'string' ? message.content : ''),
        fakeTemplateTokens,
      )
    : 0;
  record.promptTokens = promptTokens;
  const maxTokens =
    typeof chatBody.max_tokens === 'number'
      ? chatBody.max_tokens
      : Number(chatBody.max_completion_tokens ?? 0);
  if (options.contextWindow !== undefined && promptTokens + maxTokens > options.contextWindow) {
    if (await sendOverflow(res, options, promptTokens, maxTokens, chatBody.stream === true)) return;
    record.promptCut = true;
  }
  if (!Array.isArray(chatBody.messages) || chatBody.messages.length === 0) {
    sendError(res, 400, {
      message:
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'empty_array',
    });
    return;
  }
  const streamFault =
    fault?.kind === 'cut-stream' ||
    fault?.kind === 'refusal' ||
    fault?.kind === 'error-event' ||
    fault?.kind === 'no-finish' ||
    fault?.kind === 'stream-error' ||
    fault?.kind === 'stall'
      ? fault
      : undefined;
  if (streamFault?.kind === 'cut-stream') record.outcome = 'server-cut';
  if (chatBody.stream === true) await streamChat(res, chatBody, options, counter, streamFault);
  else await answerChat(res, chatBody, options, counter);
}

/** Sends the fault's response; returns false when the fault shapes a streamed answer instead. */
async function sendFault(fault: FakeFault, res: ServerResponse, streaming: boolean): Promise<boolean> {
  switch (fault.kind) {
    case 'auth':
      sendError(res, 401, invalidApiKeyError);
      return true;
    case 'rate-limit': {
      const ms = fault.retryAfterMs ?? (fault.retryAfterSeconds ?? 1) * 1000;
      const headers: Record<string, string> = {
        'retry-after': String(Math.max(0, Math.ceil(ms / 1000))),
        'retry-after-ms': String(ms),
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '0',
      };
      sendError(
        res,
        429,
        {
          message:
            'Rate limit reached for requests in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
        headers,
      );
      return true;
    }
    case 'quota':
      sendError(res, 429, {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      });
      return true;
    case 'server-error':
      sendError(res, fault.status ?? 500, serverError);
      return true;
    case 'content-filter':
      sendError(res, 400, {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
      });
      return true;
    case 'invalid-prompt':
      sendError(res, 400, {
        message: 'Invalid prompt: your prompt was flagged as potentially violating our usage policy.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_prompt',
      });
      return true;
    case 'bad-request':
      sendError(res, 400, { message: fault.message, type: 'invalid_request_error', param: null, code: null });
      return true;
    case 'hang':
      await new Promise<void>((resolve) => res.once('close', () => resolve()));
      return true;
    case 'cut-stream':
      if (streaming) return false;
      res.socket?.destroy();
      return true;
    case 'not-implemented':
      sendJson(
        res,
        501,
        notSupported('This server does not support embeddings. Start it with `--embeddings`'),
      );
      return true;
    case 'refusal':
    case 'error-event':
    case 'no-finish':
    case 'stream-error':
    case 'stall':
      if (streaming) return false;
      sendError(res, 500, serverError);
      return true;
  }
}

function notSupported(message: string) {
  return { error: { code: 501, message, type: 'not_supported_error' } };
}

/** Answers a prompt over the window as the flavor does; false for Ollama, which cuts the prompt and goes on. */
async function sendOverflow(
  res: ServerResponse,
  options: FakeOpenAIServerOptions,
  promptTokens: number,
  maxTokens: number,
  streaming: boolean,
): Promise<boolean> {
  const window = options.contextWindow ?? 0;
  switch (options.flavor ?? 'openai') {
    case 'ollama':
      return false;
    case 'llama.cpp': {
      const error = {
        code: 400,
        message: `request (${promptTokens} tokens) exceeds the available context size (${window} tokens), try increasing it`,
        type: 'exceed_context_size_error',
        n_prompt_tokens: promptTokens,
        n_ctx: window,
      };
      if (!streaming) {
        sendJson(res, 400, { error });
        return true;
      }
      // With context shift off, llama-server answers 200 and reports the overflow inside the stream.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(`error: ${JSON.stringify(error)}\n\ndata: [DONE]\n\n`);
      return true;
    }
    case 'vllm':
      sendJson(res, 400, {
        error: {
          message: `This model's maximum context length is ${window} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
          type: 'BadRequestError',
          param: null,
          code: 400,
        },
      });
      return true;
    default:
      sendError(res, 400, {
        message: `This model's maximum context length is ${window} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      });
      return true;
  }
}

/** llama.cpp's, Ollama's and vLLM's own routes; false when the path is not one of the flavor's. */
async function serveFlavorRoute(
  record: RecordedRequest,
  res: ServerResponse,
  path: string,
  options: FakeOpenAIServerOptions,
): Promise<boolean> {
  const flavor = options.flavor ?? 'openai';
  const body = isObject(record.body) ? record.body : {};
  const model = (options.models ?? defaultFakeModels)[0] ?? 'model';
  if (flavor === 'llama.cpp' && record.method === 'GET' && path === '/props') {
    sendJson(res, 200, {
      default_generation_settings: { n_ctx: options.contextWindow ?? 4096, params: { n_predict: -1 } },
      total_slots: 1,
      model_path: `/models/${model}.gguf`,
    });
    return true;
  }
  if ((flavor === 'llama.cpp' || flavor === 'vllm') && record.method === 'POST' && path === '/tokenize') {
    const text = String(flavor === 'llama.cpp' ? (body.content ?? '') : (body.prompt ?? ''));
    const tokens = Array.from({ length: fakeTokenCount(text) }, (_, i) => 1000 + i);
    sendJson(
      res,
      200,
      flavor === 'vllm'
        ? { count: tokens.length, max_model_len: options.contextWindow ?? 4096, tokens }
        : { tokens },
    );
    return true;
  }
  if (flavor === 'ollama' && record.method === 'POST' && path === '/api/show') {
    const parameters = [
      ...(options.ollamaNumCtx === undefined
        ? []
        : [`num_ctx                        ${options.ollamaNumCtx}`]),
      'stop                           "<|eot_id|>"',
    ].join('\n');
    sendJson(res, 200, {
      modelfile: '# Modelfile generated by "ollama show"',
      parameters,
      template: '{{ .Prompt }}',
      details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
      model_info: {
        'general.architecture': 'llama',
        'llama.context_length': 131_072,
        'llama.embedding_length': 3072,
      },
    });
    return true;
  }
  if (flavor === 'ollama' && record.method === 'GET' && path === '/api/ps') {
    sendJson(res, 200, { models: [] });
    return true;
  }
  return false;
}

function flavorModelObject(id: string, options: FakeOpenAIServerOptions) {
  switch (options.flavor ?? 'openai') {
    case 'vllm':
      return {
        id,
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'vllm',
        root: id,
        parent: null,
        max_model_len: options.contextWindow ?? 4096,
        permission: [],
      };
    case 'llama.cpp':
      return {
        id,
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'llamacpp',
        meta: { vocab_type: 2, n_vocab: 32_000, n_ctx_train: 131_072, n_embd: 64 },
      };
    case 'ollama':
      return { id, object: 'model', created: 1_700_000_000, owned_by: 'library' };
    default:
      return modelObject(id);
  }
}

const serverError = {
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  param: null,
  code: null,
};

function modelNotFound(model: string) {
  return {
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_found',
  };
}

function modelObject(id: string) {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'system' };
}

function sendEmbeddings(
  res: ServerResponse,
  body: Record<string, unknown>,
  options: FakeOpenAIServerOptions,
  counter: number,
): void {
  const model = String(body.model);
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
  if (!texts || texts.length === 0 || !texts.every((text) => typeof text === 'string' && text.length > 0)) {
    sendError(res, 400, {
      message:
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    return;
  }
  const maxInputs = options.maxEmbeddingInputs ?? 2048;
  if (texts.length > maxInputs) {
    sendError(res, 400, {
      message: `'$.input' is invalid: too many inputs (${texts.length}); the maximum is ${maxInputs}.`,
      type: 'invalid_request_error',
      param: 'input',
      code: null,
    });
    return;
  }
  const tooLong = (texts as string[]).find(
    (text) =>
      options.maxEmbeddingInputTokens !== undefined && fakeTokenCount(text) > options.maxEmbeddingInputTokens,
  );
  if (tooLong !== undefined) {
    sendJson(res, 500, {
      error: {
        code: 500,
        message: `input (${fakeTokenCount(tooLong)} tokens) is too large to process. increase the physical batch size (current batch size: ${options.maxEmbeddingInputTokens})`,
        type: 'server_error',
      },
    });
    return;
  }
  const requested = body.dimensions;
  const dimensions =
    typeof requested === 'number' && Number.isInteger(requested) && requested > 0
      ? requested
      : (options.embeddingDimensions?.[model] ?? knownDimensions[model] ?? fallbackDimensions);
  const base64 = body.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const vector = hashEmbedding(text as string, dimensions);
    return {
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
    };
  });
  const tokens = texts.reduce((sum, text) => sum + Math.ceil((text as string).length / 4), 0);
  sendJson(res, 200, {
    object: 'list',
    data,
    model,
    ...(options.minimal
      ? {}
      : { usage: { prompt_tokens: tokens, total_tokens: tokens }, id: `embd-${counter}` }),
  });
}

/** Deterministic unit vector: words hashed into buckets with signs, so shared words mean higher cosine. */
export function hashEmbedding(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  for (const word of words) {
    const hash = fnv1a(word);
    const bucket = hash % dimensions;
    vector[bucket] = (vector[bucket] ?? 0) + ((hash >>> 16) & 1 ? 1 : -1);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) * scale;
  return vector;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function replyFor(body: FakeChatBody, options: FakeOpenAIServerOptions): string {
  if (typeof options.reply === 'function') return options.reply(body);
  if (typeof options.reply === 'string') return options.reply;
  const lastUser = [...body.messages].reverse().find((message) => message.role === 'user');
  const question = typeof lastUser?.content === 'string' ? lastUser.content : '';
  return `Fake answer to: ${question.slice(0, 200)}`;
}

function defaultChunk(reply: string): string[] {
  return reply.match(/\s*\S+|\s+$/g) ?? [];
}

async function answerChat(
  res: ServerResponse,
  body: FakeChatBody,
  options: FakeOpenAIServerOptions,
  counter: number,
): Promise<void> {
  const reply = replyFor(body, options);
  await sleep(options.firstTokenDelayMs ?? 0, res);
  if (res.destroyed) return;
  const tokens = Math.ceil(reply.length / 4);
  sendJson(res, 200, {
    id: options.minimal ? String(counter) : `chatcmpl-fake${counter}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    ...(options.minimal
      ? {}
      : { usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens } }),
  });
}

async function streamChat(
  res: ServerResponse,
  body: FakeChatBody,
  options: FakeOpenAIServerOptions,
  counter: number,
  fault:
    | Extract<
        FakeFault,
        { kind: 'cut-stream' | 'refusal' | 'error-event' | 'no-finish' | 'stream-error' | 'stall' }
      >
    | undefined,
): Promise<void> {
  const reply = replyFor(body, options);
  const all = (options.chunk ?? defaultChunk)(reply);
  // One delta is one token: a reply longer than `max_tokens` ends there with `finish_reason: "length"`.
  const limit =
    typeof body.max_tokens === 'number' ? body.max_tokens : Number(body.max_completion_tokens ?? Infinity);
  const deltas = all.slice(0, Math.max(0, limit));
  const cutOff = deltas.length < all.length;
  const id = options.minimal ? String(counter) : `chatcmpl-fake${counter}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    ...(options.minimal ? {} : { system_fingerprint: 'fp_fake' }),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  // Resolves once the event is handed to the socket, so a later cut never swallows it.
  const send = (payload: unknown) =>
    new Promise<void>((resolve) => {
      if (res.destroyed) resolve();
      else res.write(`data: ${JSON.stringify(payload)}\n\n`, () => resolve());
    });

  await sleep(options.firstTokenDelayMs ?? 0, res);
  if (res.destroyed) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  await send(chunk({ role: 'assistant', content: '', refusal: null }, null));
  const stopAt = fault
    ? Math.min(fault.afterChunks ?? (fault.kind === 'stall' ? 1 : 2), deltas.length)
    : deltas.length;
  for (let i = 0; i < stopAt; i++) {
    if (i > 0) await sleep(options.tokenDelayMs ?? 0, res);
    if (res.destroyed) return;
    await send(chunk({ content: deltas[i] }, null));
  }
  if (fault?.kind === 'cut-stream') {
    res.socket?.destroy();
    return;
  }
  if (fault?.kind === 'stall') {
    await new Promise<void>((resolve) => res.once('close', () => resolve()));
    return;
  }
  if (fault?.kind === 'stream-error') {
    const message = fault.message ?? 'llama runner process has terminated: exit status 2';
    switch (options.flavor ?? 'openai') {
      case 'llama.cpp':
        res.end(`error: ${JSON.stringify({ code: 500, message, type: 'server_error' })}\n\ndata: [DONE]\n\n`);
        return;
      case 'ollama':
        // Ollama writes its error as bare JSON in the middle of the event stream, and stops.
        res.end(`${JSON.stringify({ error: { message, type: 'api_error', param: null, code: null } })}\n`);
        return;
      case 'vllm':
        res.end(
          `data: ${JSON.stringify({ error: { object: 'error', message, type: 'InternalServerError', param: null, code: 500 } })}\n\ndata: [DONE]\n\n`,
        );
        return;
      default:
        await send({ error: { ...serverError, message } });
        res.end();
        return;
    }
  }
  if (fault?.kind === 'error-event') {
    await send({
      error: { ...serverError, message: 'The server had an error while processing your request.' },
    });
    res.end();
    return;
  }
  if (fault?.kind !== 'no-finish')
    await send(chunk({}, fault?.kind === 'refusal' ? 'content_filter' : cutOff ? 'length' : 'stop'));
  if (body.stream_options?.include_usage && !options.minimal) {
    const tokens = Math.ceil(reply.length / 4);
    await send({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens },
    });
  }
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}

function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_fake${Date.now()}`,
    ...headers,
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error }, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Waits `ms`, returning early if the client has gone away. */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}
