/** What one request to an embedding provider may carry; the shared batching policy respects it. */
export interface EmbedderLimits {
  /** Most texts in one request. */
  maxInputs: number;
  /** Most tokens (estimated) summed over one request. */
  maxTokensPerRequest: number;
  /** Most tokens (estimated) in one text; longer texts are truncated by the policy. */
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
}
