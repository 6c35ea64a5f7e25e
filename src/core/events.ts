import type { ErrorCode } from './errors.ts';
import type { DocumentSummary, ModelInfo, Source } from './types.ts';

/** Stages of ingestion, in order. */
export type IngestStage = 'parse' | 'split' | 'embed' | 'index';

/**
 * The one event type that flows from the core through the server (as server-sent events) to the UI.
 * An answer is: `sources`, then any number of `text-delta`, then exactly one of `done` or `error`.
 * Ingestion emits `progress` events, then exactly one of `document` (ready) or `error`.
 */
export type RagEvent =
  | {
      type: 'progress';
      source: string;
      stage: IngestStage;
      done: number;
      total: number;
      /** Parsing page `done` by OCR ("Reading page 3 of 12 (OCR)"); absent otherwise. */
      ocr?: true;
    }
  | {
      type: 'sources';
      /** The standalone query actually used for retrieval (differs from the question for follow-ups). */
      query: string;
      model: ModelInfo;
      sources: Source[];
    }
  | { type: 'text-delta'; delta: string }
  | {
      type: 'done';
      answer: string;
      model: ModelInfo;
      /** Why the answer ended: `length` when it was cut off at its `max_tokens` (absent: `stop`). */
      finishReason?: 'stop' | 'length';
    }
  | { type: 'document'; document: DocumentSummary }
  | { type: 'error'; error: ErrorCode; message: string };

/** The `type` field values of {@link RagEvent}. */
export type RagEventType = RagEvent['type'];
