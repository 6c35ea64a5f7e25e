import type { ChatModel, ModelServerStatus } from '../chat-models/chat-model.ts';
import { createExtractiveChatModel } from '../chat-models/extractive-chat-model.ts';
import { createGgufChatModel } from '../chat-models/gguf-chat-model.ts';
import { createOpenAIChatModel } from '../chat-models/openai-chat-model.ts';
import type { Config } from '../config.ts';
import type { DocchatError } from '../core/errors.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage, ModelInfo } from '../core/types.ts';
import type { Embedder } from '../embedders/embedder.ts';
import { createGgufEmbedder } from '../embedders/gguf-embedder.ts';
import { createLocalEmbedder } from '../embedders/local-embedder.ts';
import { createOpenAIEmbedder } from '../embedders/openai-embedder.ts';
import { loadDocument } from '../loaders/load-document.ts';
import type { Loader, LoadInput } from '../loaders/loader.ts';
import { promptsFor } from '../prompts/default-prompts.ts';
import { createSearchIndex, type SearchIndex } from '../retrieval/search-index.ts';
import { createRecursiveTextSplitter } from '../splitters/recursive-text-splitter.ts';
import type { TextSplitter } from '../splitters/text-splitter.ts';
import { createPipeline } from './create-pipeline.ts';
import { type IngestOptions, type IngestResult, ingestDocument } from './ingest-document.ts';

/** Parts that replace the configured ones, for tests and embedding applications. */
export interface RagOverrides {
  chatModel?: ChatModel;
  embedder?: Embedder | null;
  splitter?: TextSplitter;
  /** Parses uploaded files; `loadDocument` on the calling thread by default. The server passes a loader pool. */
  loader?: Loader;
  /** Told about every failed call to a model server (`role` says which), for one structured log line each. */
  onProviderFailure?: (role: 'chat' | 'embeddings', error: DocchatError) => void;
}

/** The configured application core that the CLI and the server share. */
export interface Rag {
  /** The answering model; for a server asked which model it serves, its real name after `connect`. */
  readonly model: ModelInfo;
  /** Checks the chat model is served (lists the server's models once); the server calls it at start. */
  connect(options?: { signal?: AbortSignal }): Promise<void>;
  /** The chat model server's last known state (`unknown` for the offline answerer's none). */
  modelStatus(): ModelServerStatus | null;
  /** Name of the embedder whose vectors the indexes hold, or `null` for lexical-only indexes. */
  readonly embedderName: string | null;
  /** An empty index with the configured embedder and retrieval mode. */
  createIndex(): SearchIndex;
  /** Loads, splits, embeds and indexes one file into `index`. */
  ingest(
    input: LoadInput,
    index: SearchIndex,
    options?: Omit<IngestOptions, 'index' | 'splitter' | 'load'>,
  ): Promise<IngestResult>;
  /** Answers a question over `index`; see {@link createPipeline}. */
  ask(
    index: SearchIndex,
    question: string,
    options?: { history?: readonly ChatMessage[]; signal?: AbortSignal; k?: number },
  ): AsyncGenerator<RagEvent>;
}

/** The document limits of the configuration, in the terms of {@link ingestDocument}. */
function limitsOf(config: Config): IngestOptions['limits'] {
  const { maxDocumentChars, maxPages, maxChunks, parseTimeoutMs, maxPdfDecodedMb } = config.limits;
  return { maxCharacters: maxDocumentChars, maxPages, maxChunks, parseTimeoutMs, maxPdfDecodedMb };
}

/** Builds the parts named by the configuration (offline defaults unless OpenAI is configured). */
export function createRag(config: Config, overrides: RagOverrides = {}): Rag {
  const chatModel =
    overrides.chatModel ??
    (config.chat.provider === 'openai'
      ? createOpenAIChatModel({
          ...config.provider.chat,
          ...(config.chat.model === undefined ? {} : { model: config.chat.model }),
          ...(config.provider.contextWindow === undefined
            ? {}
            : { contextWindow: config.provider.contextWindow }),
          timeoutMs: config.provider.firstTokenTimeoutMs,
          streamIdleTimeoutMs: config.provider.streamIdleTimeoutMs,
          onFailure: (error) => overrides.onProviderFailure?.('chat', error),
        })
      : config.chat.provider === 'gguf'
        ? createGgufChatModel({ ...ggufRuntime(config), modelPath: config.gguf.chatModelPath ?? '' })
        : createExtractiveChatModel());
  const embedder =
    overrides.embedder !== undefined
      ? overrides.embedder
      : config.retriever === 'lexical'
        ? null
        : config.embedder.provider === 'openai'
          ? createOpenAIEmbedder({
              ...config.provider.embeddings,
              model: config.embedder.model,
              limits: config.provider.embeddingLimits,
              onFailure: (error) => overrides.onProviderFailure?.('embeddings', error),
            })
          : config.embedder.provider === 'gguf'
            ? createGgufEmbedder({
                modelPath: config.gguf.embeddingModelPath ?? '',
                ...(config.gguf.threads === undefined ? {} : { threads: config.gguf.threads }),
              })
            : createLocalEmbedder();
  const splitter = overrides.splitter ?? createRecursiveTextSplitter();
  const { loader } = overrides;
  const load: Loader['load'] = loader
    ? (file, options) => loader.load(file, { ocr: config.ocr, ...options })
    : (file, options) => loadDocument(file, { ocr: config.ocr, ...options });

  const prompts = promptsFor(config.prompts);

  return {
    get model() {
      return chatModel.info;
    },
    connect: async (options = {}) => {
      await chatModel.connect?.(options);
    },
    modelStatus: () => chatModel.status?.() ?? null,
    embedderName: embedder?.name ?? null,
    createIndex: () => createSearchIndex({ embedder, mode: embedder ? config.retriever : 'lexical' }),
    ingest: (input, index, options = {}) =>
      ingestDocument(input, { limits: limitsOf(config), ...options, index, splitter, load }),
    ask: (index, question, options = {}) =>
      createPipeline({
        retriever: index,
        chunks: () => index.chunks,
        chatModel,
        prompts,
        k: config.k,
        maxAnswerTokens: config.provider.maxAnswerTokens,
      }).ask(question, options),
  };
}

/** The llama.cpp settings both GGUF parts take: the chat window, and the thread count when one is set. */
function ggufRuntime(config: Config): { contextSize: number; threads?: number } {
  const { contextSize, threads } = config.gguf;
  return threads === undefined ? { contextSize } : { contextSize, threads };
}
