import type { ErrorCode } from '../../../src/core/errors.ts';
import type { RagEvent } from '../../../src/core/events.ts';
import type { ModelInfo, Source } from '../../../src/core/types.ts';
import type { SseMessage } from './sse.ts';

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isModelInfo(value: unknown): value is ModelInfo {
  return isRecord(value) && isString(value.name) && typeof value.extractive === 'boolean';
}

function isSource(value: unknown): value is Source {
  return (
    isRecord(value) &&
    isNumber(value.n) &&
    isString(value.source) &&
    isString(value.text) &&
    (value.page === null || isNumber(value.page))
  );
}

/**
 * Turns one SSE message into a {@link RagEvent}, checking the fields the UI relies on. Returns `null` for
 * events this UI does not know (a newer server may add some); throws on a known event with a broken body.
 */
export function toRagEvent(message: SseMessage): RagEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message.data);
  } catch {
    throw new SyntaxError(`The server sent an unreadable "${message.event}" event.`);
  }
  if (!isRecord(value)) throw new SyntaxError(`The server sent an unreadable "${message.event}" event.`);
  const type = isString(value.type) ? value.type : message.event;
  const valid = (ok: boolean): void => {
    if (!ok) throw new SyntaxError(`The server sent a malformed "${type}" event.`);
  };
  switch (type) {
    case 'progress':
      valid(isString(value.source) && isString(value.stage) && isNumber(value.done) && isNumber(value.total));
      return value as Extract<RagEvent, { type: 'progress' }>;
    case 'sources':
      valid(
        isString(value.query) &&
          isModelInfo(value.model) &&
          Array.isArray(value.sources) &&
          value.sources.every(isSource),
      );
      return value as Extract<RagEvent, { type: 'sources' }>;
    case 'text-delta':
      valid(isString(value.delta));
      return value as Extract<RagEvent, { type: 'text-delta' }>;
    case 'done':
      valid(isString(value.answer) && isModelInfo(value.model));
      return value as Extract<RagEvent, { type: 'done' }>;
    case 'document':
      valid(isRecord(value.document) && isString(value.document.id) && isString(value.document.source));
      return value as Extract<RagEvent, { type: 'document' }>;
    case 'error':
      valid(isString(value.error) && isString(value.message));
      return { type: 'error', error: value.error as ErrorCode, message: value.message as string };
    default:
      return null;
  }
}
