import type { z } from 'zod';
import { DocchatError } from '../core/errors.ts';
import { bodyReadError } from './body-read-error.ts';
import { limitStream } from './limit-stream.ts';

/** Largest JSON body the API reads; questions are at most 4000 characters. */
const maxJsonBytes = 64 * 1024;

/**
 * Reads a JSON request body (at most 64 KB) and validates it against `schema`.
 * Throws `invalid_request` for a body that is too big, not JSON, or not of the expected shape.
 */
export async function readJson<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  let text = '';
  if (request.body !== null) {
    const tooLarge = () =>
      new DocchatError('invalid_request', 'The request body is too large (64 KB at most).');
    const declared = Number(request.headers.get('content-length'));
    if (declared > maxJsonBytes) throw tooLarge();
    try {
      text = await new Response(limitStream(request.body, maxJsonBytes, tooLarge)).text();
    } catch (error) {
      throw bodyReadError(request, error);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DocchatError('invalid_request', 'The request body is not valid JSON; send a JSON object.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw new DocchatError('invalid_request', `Invalid ${field}: ${issue?.message ?? 'unexpected value'}.`, {
      details: { field },
    });
  }
  return parsed.data;
}
