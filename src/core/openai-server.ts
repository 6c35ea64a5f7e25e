import { DocchatError } from './errors.ts';

/** A model an OpenAI-compatible server lists at `/v1/models`, with the window vLLM states there. */
export interface ServedModel {
  id: string;
  /** vLLM's `max_model_len`, or llama.cpp's `meta.n_ctx_train` as an upper bound; absent elsewhere. */
  contextWindow?: number;
}

/** Where a context window came from, for logs and the health route. */
export type WindowSource = 'setting' | 'llama.cpp' | 'ollama' | 'vllm' | 'known' | 'default';

/** Window used when neither the setting, the server nor the table knows it: small enough for any server. */
export const defaultContextWindow = 2048;

/**
 * Ollama's OpenAI endpoint runs a model at the server's default `num_ctx` (2048 before version 0.6, 4096 since;
 * `OLLAMA_CONTEXT_LENGTH` changes it), not at the model's trained length: the lower default is assumed unless the
 * model sets `num_ctx` or `/api/ps` shows the loaded context.
 */
export const ollamaDefaultContext = 2048;

/** Context windows of well-known OpenAI models, by name prefix (longest prefix wins). */
const knownWindows: readonly [string, number][] = [
  ['gpt-5', 400_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-4o', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4', 8192],
  ['gpt-3.5-turbo', 16_385],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o4-mini', 200_000],
];

/** The window of a well-known OpenAI model, by name prefix; `undefined` for any other. */
export function knownContextWindow(model: string): number | undefined {
  let best: [string, number] | undefined;
  for (const entry of knownWindows) {
    if (model.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/** How to reach a server for the probes below. */
export interface ServerProbe {
  /** The OpenAI-compatible base URL, usually ending in `/v1`. */
  baseURL: string;
  apiKey?: string;
  signal?: AbortSignal;
  /** Longest wait for one probe. */
  timeoutMs: number;
}

/** The server's root: the base URL without its `/v1` (where llama.cpp and Ollama serve their own routes). */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * Fetches JSON, or `undefined` when the route is missing, fails or answers something else: a probe never fails
 * the caller (only the caller's abort propagates, as `aborted`).
 */
export async function probeJson(
  url: string,
  probe: ServerProbe,
  body?: unknown,
): Promise<Record<string, unknown> | undefined> {
  const signal = AbortSignal.any([
    AbortSignal.timeout(probe.timeoutMs),
    ...(probe.signal ? [probe.signal] : []),
  ]);
  try {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(probe.apiKey ? { authorization: `Bearer ${probe.apiKey}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const value: unknown = await response.json();
    return isRecord(value) ? value : undefined;
  } catch {
    if (probe.signal?.aborted) throw new DocchatError('aborted', 'The request was cancelled.');
    return undefined;
  }
}

/** Reads the window a server runs `model` with: llama.cpp `/props`, Ollama `/api/show` (+ `/api/ps`), vLLM's list. */
export async function discoverContextWindow(
  model: string,
  served: readonly ServedModel[],
  probe: ServerProbe,
): Promise<{ contextWindow: number; source: WindowSource } | undefined> {
  const listed = served.find((entry) => entry.id === model);
  const root = serverRoot(probe.baseURL);
  const props = await probeJson(`${root}/props`, probe);
  const slot = isRecord(props?.default_generation_settings) ? props.default_generation_settings : undefined;
  const nCtx = positive(slot?.n_ctx);
  if (nCtx !== undefined) return { contextWindow: nCtx, source: 'llama.cpp' };
  if (listed?.contextWindow !== undefined) return { contextWindow: listed.contextWindow, source: 'vllm' };
  const show = await probeJson(`${root}/api/show`, probe, { model });
  if (show !== undefined && (isRecord(show.model_info) || typeof show.parameters === 'string')) {
    const info = isRecord(show.model_info) ? show.model_info : {};
    const architecture = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : '';
    const trained = positive(info[`${architecture}.context_length`]);
    const numCtx = positive(
      Number(/^num_ctx\s+(\d+)/m.exec(typeof show.parameters === 'string' ? show.parameters : '')?.[1]),
    );
    const ps = await probeJson(`${root}/api/ps`, probe);
    const loaded = Array.isArray(ps?.models)
      ? ps.models.find((entry: unknown) => isRecord(entry) && (entry.name === model || entry.model === model))
      : undefined;
    const running = isRecord(loaded) ? positive(loaded.context_length) : undefined;
    const window = numCtx ?? running ?? ollamaDefaultContext;
    return { contextWindow: trained === undefined ? window : Math.min(window, trained), source: 'ollama' };
  }
  return undefined;
}

/**
 * A token counter through the server's own tokenizer: llama.cpp's `POST /tokenize {content}` and vLLM's
 * `POST /tokenize {model, prompt}` both answer `{tokens: [...]}`. `undefined` when the server has none.
 */
export async function probeTokenizer(
  model: string,
  probe: ServerProbe,
): Promise<((text: string, signal?: AbortSignal) => Promise<number>) | undefined> {
  const url = `${serverRoot(probe.baseURL)}/tokenize`;
  const count = async (text: string, signal?: AbortSignal): Promise<number | undefined> => {
    const reply = await probeJson(
      url,
      { ...probe, signal: signal ?? probe.signal },
      {
        content: text,
        model,
        prompt: text,
      },
    );
    if (Array.isArray(reply?.tokens)) return reply.tokens.length;
    return typeof reply?.count === 'number' ? reply.count : undefined;
  };
  if ((await count('probe')) === undefined) return undefined;
  return async (text, signal) => {
    if (text === '') return 0;
    const tokens = await count(text, signal);
    if (tokens === undefined)
      throw new DocchatError('upstream_error', 'The model server stopped answering its /tokenize route.', {
        details: { retryable: true },
      });
    return tokens;
  };
}

/**
 * A deliberately pessimistic token count for a model whose tokenizer is unknown: one token per two UTF-8 bytes
 * (BPE vocabularies average about four characters per token on English; small byte-level ones come near one).
 */
export function estimateTokensPessimistically(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 2);
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
