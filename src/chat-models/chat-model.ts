import type { ErrorCode } from '../core/errors.ts';
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
  /** Most tokens the answer may take (sent as `max_tokens`); the pipeline always sets it for model calls. */
  maxTokens?: number;
}

/** Why an answer ended: `stop` when the model finished, `length` when it was cut off at `maxTokens`. */
export type FinishReason = 'stop' | 'length';

/** Counts tokens as one model does and knows its window, so that a prompt is fitted before it is sent. */
export interface TokenCounter {
  /** Tokens the model holds, prompt and answer together. */
  readonly contextWindow: number;
  /** Tokens each chat message costs beyond its text (role markers, chat template). */
  readonly perMessage: number;
  /** Tokens of `text`: exact with the model's tokenizer, deliberately high where only estimated. */
  count(text: string, options?: { signal?: AbortSignal }): Promise<number>;
}

/** Options of {@link ChatModel.stream}. */
export interface StreamOptions {
  signal?: AbortSignal;
  /** Called once when the answer ends without an error, with why it ended. */
  onFinish?: (reason: FinishReason) => void;
}

/** What a model server was last seen doing: learnt from the calls made anyway, never by a call of its own. */
export interface ModelServerStatus {
  /** `up` after a call it answered, `down` after one it failed (unreachable, 5xx, timeouts, key, model). */
  state: 'unknown' | 'up' | 'down';
  /** Epoch milliseconds of the call that told, or `null` before any. */
  checkedAt: number | null;
  /** The last failure, while `down`. */
  error?: { error: ErrorCode; message: string };
}

/** Streams an answer as text deltas. Throws `DocchatError`s (`auth_failed`, `stream_interrupted`, ...). */
export interface ChatModel {
  /** The model's name; for a server asked which model it serves, known after {@link ChatModel.connect}. */
  readonly info: ModelInfo;
  /**
   * Checks once that the model is served (listing the server's models), and picks the only one served when none
   * was named. Later calls share the first successful check. Throws `model_not_found` naming the served ones.
   */
  connect?(options?: { signal?: AbortSignal }): Promise<void>;
  /** The model server's last known state, for the health route. */
  status?(): ModelServerStatus;
  /** The model's tokenizer and window, for the prompt budget; absent for models that take any length. */
  tokens?(options?: { signal?: AbortSignal }): Promise<TokenCounter>;
  stream(request: ChatRequest, options?: StreamOptions): AsyncIterable<string>;
}
