import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DocchatError } from '../core/errors.ts';
import type { LoadInput } from './loader.ts';

/** Reads a file from disk as a {@link LoadInput}, with clear errors for a missing path or a directory. */
export async function readInput(path: string): Promise<LoadInput> {
  const info = await stat(path).catch(() => null);
  if (!info)
    throw new DocchatError('file_not_found', `File not found: ${path}. Check the path and try again.`);
  if (!info.isFile())
    throw new DocchatError('file_not_found', `${path} is not a file. Give the path of a text or PDF file.`);
  try {
    return { name: basename(path), data: new Uint8Array(await readFile(path)) };
  } catch (error) {
    throw new DocchatError('file_not_found', `Cannot read ${path}: check its permissions.`, { cause: error });
  }
}
