import type { SQLOutputValue } from 'node:sqlite';
import { DocchatError, type ErrorCode, errorCodes } from '../core/errors.ts';
import type { Chunk, DocumentSummary, ModelInfo, Source, TextBox } from '../core/types.ts';
import type { MessageRecord, MessageStatus, UploadRecord } from './chat-store.ts';

/** One row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;

/** A column that must hold text; anything else means the file is not what this code wrote. */
export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column);
  return value;
}

/** A column that must hold an integer. */
export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw corrupt(column);
  return value;
}

/** A nullable text column. */
export function optionalText(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
}

/** A nullable integer column (`null` for none). */
export function optionalInteger(row: Row, column: string): number | null {
  const value = row[column];
  return typeof value === 'number' ? value : null;
}

/** The error for a value this code never writes. */
export function corrupt(column: string): DocchatError {
  return new DocchatError('internal', `The chat database has an unexpected value in column ${column}.`);
}

/** Every chunk's section path as one JSON array (`null` entries for none), or `null` when no chunk has one. */
export function sectionsJson(chunks: readonly Chunk[]): string | null {
  if (chunks.every((chunk) => chunk.section === undefined)) return null;
  return JSON.stringify(chunks.map((chunk) => chunk.section ?? null));
}

/** Puts back the section paths {@link sectionsJson} stored. */
export function withSections(chunks: Chunk[], json: string | undefined): Chunk[] {
  if (json === undefined) return chunks;
  const sections = JSON.parse(json) as (string[] | null)[];
  return chunks.map((chunk, i) => {
    const section = sections[i];
    return section === null || section === undefined ? chunk : { ...chunk, section };
  });
}

/** Boxes as JSON arrays `[page, x, y, width, height, start, end]`: a third of the size of objects. */
export function boxesToJson(boxes: readonly TextBox[]): string {
  return JSON.stringify(
    boxes.map((box) => [box.page, box.x, box.y, box.width, box.height, box.start, box.end]),
  );
}

/** Puts back the boxes {@link boxesToJson} stored. */
export function boxesFromJson(json: string): TextBox[] {
  return (JSON.parse(json) as number[][]).map(
    ([page = 0, x = 0, y = 0, width = 0, height = 0, start = 0, end = 0]) => ({
      page,
      x,
      y,
      width,
      height,
      start,
      end,
    }),
  );
}

/** Whether a stored string is one of today's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** The `id` column of every row. */
export function ids(rows: Row[]): string[] {
  return rows.map((row) => text(row, 'id'));
}

/** A `documents` row as a {@link DocumentSummary}. */
export function toSummary(row: Row): DocumentSummary {
  const kind = text(row, 'kind');
  const readablePages = optionalInteger(row, 'readable_pages');
  const ocrPages = optionalText(row, 'ocr_pages');
  return {
    id: text(row, 'id'),
    source: text(row, 'source'),
    kind: kind === 'pdf' ? 'pdf' : 'text',
    pages: optionalInteger(row, 'pages'),
    ...(readablePages === null ? {} : { readablePages }),
    chunks: integer(row, 'chunk_count'),
    characters: integer(row, 'characters'),
    ...(ocrPages === undefined ? {} : { ocrPages: JSON.parse(ocrPages) as number[] }),
  };
}

/** An `uploads` row as an {@link UploadRecord}. */
export function toUpload(row: Row): UploadRecord {
  return {
    id: text(row, 'id'),
    source: text(row, 'source'),
    createdAt: integer(row, 'created_at'),
    status: text(row, 'status') === 'failed' ? 'failed' : 'ingesting',
  };
}

/** A `messages` row as a {@link MessageRecord}. */
export function toMessage(row: Row): MessageRecord {
  const role = text(row, 'role');
  const message: MessageRecord = {
    id: text(row, 'id'),
    role: role === 'assistant' ? 'assistant' : 'user',
    content: text(row, 'content'),
    createdAt: integer(row, 'created_at'),
  };
  const status = optionalText(row, 'status');
  if (status !== undefined && messageStatuses.has(status)) message.status = status as MessageStatus;
  const query = optionalText(row, 'query');
  if (query !== undefined) message.query = query;
  const sources = optionalText(row, 'sources');
  if (sources !== undefined) message.sources = JSON.parse(sources) as Source[];
  const model = optionalText(row, 'model');
  if (model !== undefined) message.model = JSON.parse(model) as ModelInfo;
  const error = optionalText(row, 'error');
  if (error !== undefined) {
    const parsed = JSON.parse(error) as { error?: unknown; message?: unknown };
    message.error = {
      error: isErrorCode(parsed.error) ? parsed.error : 'internal',
      message: typeof parsed.message === 'string' ? parsed.message : '',
    };
  }
  if (row.truncated === 1) message.truncated = true;
  return message;
}

const messageStatuses = new Set<string>(['complete', 'stopped', 'error', 'streaming', 'interrupted']);

/** A JSON array of strings as stored, or `null` for none. */
export function parseStrings(value: string | undefined): string[] | null {
  return value === undefined ? null : (JSON.parse(value) as string[]);
}
