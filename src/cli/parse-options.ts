import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DocchatError } from '../core/errors.ts';

/** `node:util` parseArgs that reports mistakes as one-line `invalid_request` errors instead of stack traces. */
export function parseOptions<T extends ParseArgsConfig['options']>(
  argv: readonly string[],
  options: T,
  command: string,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DocchatError('invalid_request', `${message} Run "docchat ${command} --help".`);
  }
}
