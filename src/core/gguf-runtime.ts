import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { DocchatError } from './errors.ts';

/**
 * llama.cpp in-process through node-llama-cpp, an optional dependency imported only on first use, so that a
 * start without a GGUF model never loads it. Only the CPU build is installed (see the README).
 */

/**
 * Checks at once that `path` is a readable GGUF file (its magic bytes), so a wrong setting fails at start
 * with the path in the message, not at the first question.
 */
export function checkGgufFile(path: string): void {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw invalidFile(path, 'is not a file');
    size = stats.size;
  } catch (error) {
    if (error instanceof DocchatError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DocchatError('file_not_found', `The model file ${path} does not exist.`, {
        details: { path },
      });
    }
    throw invalidFile(path, 'cannot be read', error);
  }
  const magic = Buffer.alloc(4);
  try {
    const descriptor = openSync(path, 'r');
    try {
      readSync(descriptor, magic, 0, 4, 0);
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    throw invalidFile(path, 'cannot be read', error);
  }
  if (size < 4 || magic.toString('latin1') !== 'GGUF') throw invalidFile(path, 'is not a GGUF model file');
}

let llama: Promise<Llama> | undefined;

/** The process's one llama.cpp runtime, loaded on first call. */
export function loadLlama(): Promise<Llama> {
  llama ??= (async () => {
    let runtime: typeof import('node-llama-cpp');
    try {
      runtime = await import('node-llama-cpp');
    } catch (error) {
      llama = undefined;
      throw new DocchatError(
        'internal',
        'The GGUF runtime (node-llama-cpp) is not installed. Run `npm install` without `--omit=optional`.',
        { cause: error },
      );
    }
    try {
      // `build: 'never'`: a missing prebuilt binary is an error here, never a download-and-compile.
      return await runtime.getLlama({ gpu: 'auto', build: 'never', logLevel: runtime.LlamaLogLevel.error });
    } catch (error) {
      llama = undefined;
      throw new DocchatError(
        'internal',
        `llama.cpp could not start on this machine (${describe(error)}). node-llama-cpp ships prebuilt binaries for Linux, macOS and Windows on x64 and arm64.`,
        { cause: error },
      );
    }
  })();
  return llama;
}

/** Loads a model file; a file llama.cpp rejects is `model_file_invalid`, naming the path. */
export async function loadGgufModel(path: string): Promise<LlamaModel> {
  checkGgufFile(path);
  const runtime = await loadLlama();
  try {
    return await runtime.loadModel({ modelPath: path });
  } catch (error) {
    throw invalidFile(path, `could not be loaded by llama.cpp (${describe(error)})`, error);
  }
}

/** The model file's name without its `.gguf` extension: the label answers carry. */
export function ggufModelName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.gguf$/i, '') || file;
}

function invalidFile(path: string, problem: string, cause?: unknown): DocchatError {
  return new DocchatError('model_file_invalid', `The model file ${path} ${problem}.`, {
    cause,
    details: { path },
  });
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
