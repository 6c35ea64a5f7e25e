import type { ChatMessage, ModelInfo, Source } from '../core/types.ts';

/** What the pipeline found out about a document as a whole, for "what is this about?" questions. */
export interface DocumentOverview {
  source: string;
  /** The document's title as found on its first page or line, if any. */
  title: string | null;
  /** Top-level section headings in document order. */
  headings: string[];
}

/** Everything a chat model may use to answer: the built prompt, and the raw question and sources behind it. */
export interface ChatRequest {
  /** The full conversation to send: system prompt, history, and the user prompt with its context. */
  messages: ChatMessage[];
  /** The user's question as asked (with acronyms the documents define spelled out). */
  question: string;
  /** Its standalone form, rewritten from the conversation for follow-ups (else the question itself). */
  query: string;
  /** The retrieved passages, numbered as cited in the prompt. */
  sources: Source[];
  /** `overview` when the question is about the whole document; its sources are then the document's opening. */
  kind: 'question' | 'overview';
  /** One entry per document, present for `overview` questions. */
  overviews: DocumentOverview[];
}

/** Streams an answer as text deltas. Throws `DocchatError`s (`auth_failed`, `stream_interrupted`, ...). */
export interface ChatModel {
  readonly info: ModelInfo;
  stream(request: ChatRequest, options?: { signal?: AbortSignal }): AsyncIterable<string>;
}
