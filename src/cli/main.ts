#!/usr/bin/env node
import { DocchatError, toDocchatError } from '../core/errors.ts';
import { askCommand } from './commands/ask.ts';

const usage = `Usage: docchat <command> [options]

Commands:
  ask <file> "<question>"          answer a question about a text or PDF file, with sources
  ask <file> --questions <path>    answer one question per line of <path> (the file is indexed once)
  eval-beir <dir>...               evaluate retrieval on datasets in BEIR format
  eval-doc <file> <questions>      evaluate retrieval for questions about one document

Run "docchat <command> --help" for a command's options.`;

/** Runs the CLI and returns its exit status: 0 ok, 1 failure, 2 bad input or usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'ask':
        return await askCommand(rest);
      case 'eval-beir': {
        const { evalBeirCommand } = await import('./commands/eval-beir.ts');
        return await evalBeirCommand(rest);
      }
      case 'eval-doc': {
        const { evalDocCommand } = await import('./commands/eval-doc.ts');
        return await evalDocCommand(rest);
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new DocchatError('invalid_request', `Unknown command "${command}". Run "docchat --help".`);
    }
  } catch (error) {
    const failure = toDocchatError(error);
    process.stderr.write(`docchat: ${failure.message}\n`);
    if (failure.kind === 'internal' && process.env.DOCCHAT_DEBUG) console.error(failure.cause);
    return failure.kind === 'input' ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
