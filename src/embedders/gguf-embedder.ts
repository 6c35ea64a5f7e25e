import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { DocchatError, isAbortError, throwIfAborted } from '../core/errors.ts';
import { checkGgufFile, ggufModelName, loadGgufModel } from '../core/gguf-runtime.ts';
import type { Embedder, EmbedderLimits } from './embedder.ts';

/** Options of {@link createGgufEmbedder}. */
export interface GgufEmbedderOptions {
  /** A GGUF embedding model file, e.g. nomic-embed-text-v1.5 or bge-small-en-v1.5. */
  modelPath: string;
  /** Most tokens of one input; longer inputs are cut to it. Capped at the model's trained window. Default 512. */
  contextSize?: number;
  /** Most texts in one `embed` call (they are embedded one after another). Default 16. */
  maxInputs?: number;
  /** CPU threads llama.cpp computes with. Default: node-llama-cpp's choice (the machine's math cores). */
  threads?: number;
}

/** The longest input when none is set: bge-small's window, and more than a default chunk takes. */
export const defaultGgufEmbeddingContextSize = 512;

interface Loaded {
  model: LlamaModel;
  context: LlamaEmbeddingContext;
  /** Tokens one input may take, special tokens included. */
  window: number;
}

/**
 * An {@link Embedder} that runs a GGUF embedding model in-process with llama.cpp (node-llama-cpp), so dense and
 * hybrid retrieval work with no API key and no server. The model loads on the first call; `dimensions` is 0
 * until then. Inputs longer than the window are cut at a token boundary.
 */
export function createGgufEmbedder(options: GgufEmbedderOptions): Embedder {
  const { modelPath } = options;
  checkGgufFile(modelPath);
  const contextSize = options.contextSize ?? defaultGgufEmbeddingContextSize;
  const maxInputs = options.maxInputs ?? 16;
  let dimensions = 0;
  let loading: Promise<Loaded> | undefined;
  let turn: Promise<unknown> = Promise.resolve();

  const load = (): Promise<Loaded> => {
    loading ??= open(modelPath, contextSize, options.threads).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  const limits: EmbedderLimits = {
    maxInputs,
    maxTokensPerRequest: maxInputs * contextSize,
    maxTokensPerInput: contextSize,
    // One context embeds one text at a time; a second request in flight would only wait.
    concurrency: 1,
  };

  return {
    name: `gguf:${ggufModelName(modelPath)}`,
    get dimensions() {
      return dimensions;
    },
    limits,
    async embed(texts, { signal } = {}) {
      throwIfAborted(signal);
      if (texts.length === 0) return [];
      const { model, context, window } = await load();
      dimensions = model.embeddingVectorSize;
      const run = turn.then(async () => {
        const vectors: Float32Array[] = [];
        for (const text of texts) {
          throwIfAborted(signal);
          // Room for the special tokens (BOS, EOS or CLS, SEP) the model adds around the text.
          const tokens = model.tokenize(text);
          const fitted = tokens.length > window - 2 ? model.detokenize(tokens.slice(0, window - 2)) : text;
          try {
            const embedding = await context.getEmbeddingFor(fitted === '' ? ' ' : fitted);
            vectors.push(Float32Array.from(embedding.vector));
          } catch (error) {
            if (isAbortError(error)) throw error;
            throw new DocchatError('internal', `llama.cpp failed to embed a text with ${modelPath}.`, {
              cause: error,
            });
          }
        }
        return vectors;
      });
      turn = run.catch(() => {});
      return run;
    },
  };
}

async function open(modelPath: string, contextSize: number, threads: number | undefined): Promise<Loaded> {
  const model = await loadGgufModel(modelPath);
  const window = Math.min(contextSize, model.trainContextSize);
  try {
    const context = await model.createEmbeddingContext({
      contextSize: window,
      batchSize: window,
      ...(threads === undefined ? {} : { threads }),
    });
    return { model, context, window };
  } catch (error) {
    throw new DocchatError(
      'model_file_invalid',
      `The model file ${modelPath} cannot make embeddings with llama.cpp (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error, details: { path: modelPath } },
    );
  }
}
