/** What one request to an embedding provider may carry; the shared batching policy respects it. */
export interface EmbedderLimits {
  /** Most texts in one request. */
  maxInputs: number;
  /** Most tokens (counted, or estimated) summed over one request. */
  maxTokensPerRequest: number;
  /** Most tokens (counted, or estimated) in one text; longer texts are trimmed by the policy, with a warning. */
  maxTokensPerInput: number;
  /** Most requests in flight at once. */
  concurrency: number;
}

/** Turns texts into vectors. A provider makes one call per `embed`; batching and retries live in `embedAll`. */
export interface Embedder {
  /** Stable name, stored with vectors so an index is never searched with another model's vectors. */
  readonly name: string;
  readonly dimensions: number;
  readonly limits: EmbedderLimits;
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /** Tokens of one text as the model counts them (exact, or deliberately high); without it they are estimated. */
  countTokens?(text: string, options?: { signal?: AbortSignal }): Promise<number>;
}
