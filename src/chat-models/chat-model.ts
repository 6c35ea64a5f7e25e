import type { ChatMessage, ModelInfo, Source } from '../core/types.ts';

/** Everything a chat model may use to answer: the built prompt, and the raw question and sources behind it. */
export interface ChatRequest {
  /** The full conversation to send: system prompt, history, and the user prompt with its context. */
  messages: ChatMessage[];
  /** The user's question (standalone form). */
  question: string;
  /** The retrieved passages, numbered as cited in the prompt. */
  sources: Source[];
}

/** Streams an answer as text deltas. Throws `DocchatError`s (`auth_failed`, `stream_interrupted`, ...). */
export interface ChatModel {
  readonly info: ModelInfo;
  stream(request: ChatRequest, options?: { signal?: AbortSignal }): AsyncIterable<string>;
}
