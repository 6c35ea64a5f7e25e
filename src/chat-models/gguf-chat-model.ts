import type { ChatHistoryItem, LlamaChat, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { DocchatError, isAbortError, throwIfAborted } from '../core/errors.ts';
import { checkGgufFile, ggufModelName, loadGgufModel } from '../core/gguf-runtime.ts';
import type { ChatMessage } from '../core/types.ts';
import type { ChatModel, ChatRequest, FinishReason, StreamOptions, TokenCounter } from './chat-model.ts';

/** Options of {@link createGgufChatModel}. */
export interface GgufChatModelOptions {
  /** A GGUF model file, e.g. an instruct model of 0.5 to 3 B parameters quantized to Q4_K_M. */
  modelPath: string;
  /** Tokens the context holds, prompt and answer together; capped at the model's trained window. Default 4096. */
  contextSize?: number;
  /** Sampling temperature; 0 always takes the likeliest token. Default 0. */
  temperature?: number;
  /** CPU threads llama.cpp computes with. Default: node-llama-cpp's choice (the machine's math cores). */
  threads?: number;
}

/** The window when none is set: enough for the prompt budget, small enough for a laptop's memory. */
export const defaultGgufContextSize = 4096;

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  chat: LlamaChat;
  counter: TokenCounter;
}

/**
 * A {@link ChatModel} that runs a GGUF model in-process with llama.cpp (node-llama-cpp): the request's messages
 * go through the model's own chat template, text streams as it is generated, the signal stops generation.
 * The model loads on first use; requests take turns on its one context. A prompt that does not fit the window
 * is `context_overflow`, never cut; an answer stopped by `maxTokens` or by the window ends with `length`.
 */
export function createGgufChatModel(options: GgufChatModelOptions): ChatModel {
  const { modelPath } = options;
  checkGgufFile(modelPath);
  let loading: Promise<Loaded> | undefined;
  let turn: Promise<unknown> = Promise.resolve();

  const load = (): Promise<Loaded> => {
    loading ??= open(options).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  async function* stream(request: ChatRequest, streamOptions: StreamOptions = {}): AsyncGenerator<string> {
    const { signal } = streamOptions;
    throwIfAborted(signal);
    const { chat, context, model } = await load();
    // One generation at a time on the one context sequence.
    const previous = turn;
    let release = () => {};
    turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await waitUnlessAborted(previous, signal);
      const history = toChatHistory(request.messages);
      const promptTokens = chat.chatWrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(model.tokenizer).length;
      // One token short of the window: the last generated token must still find room to be evaluated.
      const room = context.contextSize - promptTokens - 1;
      if (room < 1) throw contextOverflow(promptTokens, context.contextSize);
      const limit = Math.min(request.maxTokens ?? room, room);

      const chunks: string[] = [];
      let wake = () => {};
      let settled = false;
      const generation = new AbortController();
      const stop = () => generation.abort(signal?.reason);
      signal?.addEventListener('abort', stop, { once: true });
      const result = chat
        .generateResponse(history, {
          maxTokens: limit,
          temperature: options.temperature ?? 0,
          signal: generation.signal,
          onTextChunk: (text) => {
            chunks.push(text);
            wake();
          },
          contextShift: {
            // The window is checked above; should llama.cpp still run out of room, fail rather than drop the prompt.
            strategy: () => {
              throw contextOverflow(promptTokens, context.contextSize);
            },
          },
        })
        .finally(() => {
          settled = true;
          wake();
        });
      try {
        for (;;) {
          while (chunks.length > 0) yield chunks.shift() as string;
          if (settled) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        const { metadata } = await result;
        throwIfAborted(signal);
        if (metadata.stopReason === 'abort') throw new DocchatError('aborted', 'The request was cancelled.');
        const reason: FinishReason = metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
        streamOptions.onFinish?.(reason);
      } catch (error) {
        throwIfAborted(signal);
        throw toGenerationError(error, modelPath);
      } finally {
        signal?.removeEventListener('abort', stop);
        // A caller that stops reading ends the generation; the context is free only once it has stopped.
        generation.abort();
        await result.catch(() => {});
      }
    } finally {
      // Never before the previous generation ended, even when this request gave up while waiting for it.
      void previous.then(release);
    }
  }

  return {
    info: { name: ggufModelName(modelPath), extractive: false },
    tokens: async () => (await load()).counter,
    stream,
  };
}

async function open(options: GgufChatModelOptions): Promise<Loaded> {
  const { LlamaChat } = await import('node-llama-cpp');
  const model = await loadGgufModel(options.modelPath);
  const contextSize = Math.min(options.contextSize ?? defaultGgufContextSize, model.trainContextSize);
  let context: LlamaContext;
  try {
    context = await model.createContext({
      contextSize,
      sequences: 1,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
  } catch (error) {
    throw new DocchatError(
      'internal',
      `llama.cpp could not allocate a ${contextSize}-token context for ${options.modelPath}: set a smaller DOCCHAT_GGUF_CONTEXT.`,
      { cause: error },
    );
  }
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  const count = (text: string) => model.tokenize(text).length;
  const templated = (history: ChatHistoryItem[]) =>
    chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer)
      .length;
  // What the template adds to a message, as the dearest of a system, a user and an assistant message. The first
  // two also carry the fixed part (BOS, the answer's header), so n messages are never under-counted.
  const text = 'x';
  const overhead = (messages: ChatMessage[]) =>
    templated(toChatHistory(messages)) - messages.length * count(text);
  const user = overhead([{ role: 'user', content: text }]);
  const perMessage = Math.max(
    overhead([{ role: 'system', content: text }]),
    user,
    overhead([
      { role: 'user', content: text },
      { role: 'assistant', content: text },
    ]) - user,
    1,
  );
  const counter: TokenCounter = {
    contextWindow: context.contextSize,
    perMessage,
    count: async (value, { signal } = {}) => {
      throwIfAborted(signal);
      return count(value);
    },
  };
  return { model, context, chat, counter };
}

/** The request's messages as node-llama-cpp's chat history, ending with the model's turn to answer. */
function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) =>
    message.role === 'assistant'
      ? { type: 'model', response: [message.content] }
      : { type: message.role, text: message.content },
  );
  history.push({ type: 'model', response: [] });
  return history;
}

function contextOverflow(promptTokens: number, contextSize: number): DocchatError {
  return new DocchatError(
    'context_overflow',
    `The prompt takes ${promptTokens} tokens and does not fit the model's ${contextSize}-token window. Ask a shorter question, start a new chat, or set a larger DOCCHAT_GGUF_CONTEXT.`,
    { details: { promptTokens, contextSize } },
  );
}

function toGenerationError(error: unknown, modelPath: string): DocchatError {
  if (error instanceof DocchatError) return error;
  if (isAbortError(error)) return new DocchatError('aborted', 'The request was cancelled.', { cause: error });
  return new DocchatError('internal', `llama.cpp failed while answering with ${modelPath}.`, {
    cause: error,
  });
}

/** Waits for `previous` (which never rejects), or throws `aborted` as soon as the signal fires. */
function waitUnlessAborted(previous: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return previous.then(() => {});
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new DocchatError('aborted', 'The request was cancelled.'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
