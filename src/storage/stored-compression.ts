import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { createLimiter } from '../core/concurrency.ts';
import { DocchatError } from '../core/errors.ts';

/**
 * Compression of the large values the SQLite store keeps (a document's text, its viewer layout, a text file's
 * bytes). A column's `encoding` says how its value is stored: `null` as it is (rows of schema 5 and before),
 * `deflate` as raw DEFLATE of the UTF-8 (or of the bytes). PostgreSQL compresses large values itself (TOAST).
 *
 * Both directions run on libuv's thread pool, so neither the event loop nor the writer thread waits on them.
 */
export type StoredEncoding = 'deflate' | null;

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/**
 * zlib's fastest level: 2 MB of text in ~30 ms of a thread-pool thread, to 0.28 of its bytes (the load bench's
 * text; SciFact's abstracts: 0.39). The default level 6 gains 0.05 for 3.5× the CPU, which 60 uploads at once
 * on 2 cores felt: 13.9 s → 22.9 s until all were answered.
 */
const level = 1;

/**
 * Compressions at once, one per core: each holds its input's UTF-8 copy, so 60 uploads finishing together held
 * 180 of them (360 MB) while they queued for the thread pool.
 */
const compressions = createLimiter(availableParallelism());

/** Media types whose bytes are not compressed already (PDF content, DOCX and images are). */
export function isCompressible(contentType: string): boolean {
  return /^text\/|^application\/(?:json|xml|xhtml\+xml)\b/.test(contentType);
}

/** `text` as stored in a `deflate` column. */
export async function deflateText(text: string): Promise<Uint8Array> {
  return compressions.run(() => deflated(Buffer.from(text, 'utf8')));
}

/** `bytes` as stored in a `deflate` column: a buffer of its own, so it can be transferred to the writer. */
export async function deflateBytes(bytes: Uint8Array): Promise<Uint8Array> {
  return compressions.run(() => deflated(bytes));
}

async function deflated(bytes: Uint8Array): Promise<Uint8Array> {
  const packed = await deflate(bytes, { level });
  return new Uint8Array(packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength));
}

/** The text of a stored value; `column` names it in the error when the stored bytes do not inflate. */
export async function storedText(value: unknown, encoding: StoredEncoding, column: string): Promise<string> {
  if (encoding === null) {
    if (typeof value !== 'string') throw damaged(column);
    return value;
  }
  return (await storedBytes(value, encoding, column)).toString('utf8');
}

/** The bytes of a stored value; `column` names it in the error when they do not inflate. */
export async function storedBytes(value: unknown, encoding: StoredEncoding, column: string): Promise<Buffer> {
  if (!(value instanceof Uint8Array)) throw damaged(column);
  if (encoding === null) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  try {
    return await inflate(value);
  } catch {
    throw damaged(column);
  }
}

/** A column's `encoding` as read; anything else than the known ones is damage. */
export function encodingOf(value: unknown, column: string): StoredEncoding {
  if (value === null || value === undefined) return null;
  if (value === 'deflate') return value;
  throw damaged(column);
}

function damaged(column: string): DocchatError {
  return new DocchatError(
    'storage_corrupt',
    `The chat database is damaged: column ${column} cannot be read.`,
  );
}
