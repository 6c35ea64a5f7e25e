import type { ChatModel, DocumentOverview } from '../chat-models/chat-model.ts';
import { DocchatError, toDocchatError } from '../core/errors.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage, Chunk, ScoredChunk, Source } from '../core/types.ts';
import { defaultPrompts, formatContext, type RagPrompts } from '../prompts/default-prompts.ts';
import type { Retriever } from '../retrieval/retriever.ts';
import { reflowText } from '../text/reflow.ts';
import { buildOverviews } from './document-overview.ts';
import { expandAcronyms, findAcronyms } from './expand-acronyms.ts';
import { isOverviewQuestion } from './question-intent.ts';
import { rewriteQuestion } from './rewrite-question.ts';

/** The parts a pipeline is made of; every one can be swapped. */
export interface PipelineOptions {
  retriever: Retriever;
  chatModel: ChatModel;
  prompts?: RagPrompts;
  /** Passages per question. Default 4, as in the reference. */
  k?: number;
  /** The indexed chunks in insertion order, for whole-document questions; without it they are retrieved like any. */
  chunks?: () => readonly Chunk[];
  /** How many earlier messages are sent to the model with a question. Default 6 (three exchanges). */
  historyMessages?: number;
}

/** Options of one question. */
export interface AskOptions {
  signal?: AbortSignal;
  /** The conversation so far, oldest first, without the current question. */
  history?: readonly ChatMessage[];
  k?: number;
}

/** Retrieval-augmented question answering, the counterpart of the reference's `RetrievalAugmentedQAPipeline`. */
export interface Pipeline {
  /** Streams `sources`, then `text-delta`s, then `done`, or `error` at any point. Never throws. */
  ask(question: string, options?: AskOptions): AsyncGenerator<RagEvent>;
}

/** Makes a {@link Pipeline} from its parts. */
export function createPipeline(options: PipelineOptions): Pipeline {
  const prompts = options.prompts ?? defaultPrompts;
  const historyMessages = options.historyMessages ?? 6;
  const model = options.chatModel.info;

  return {
    async *ask(question, askOptions = {}) {
      const { signal } = askOptions;
      const history = askOptions.history ?? [];
      const k = askOptions.k ?? options.k ?? 4;
      try {
        const trimmed = question.trim();
        if (trimmed.length === 0) throw new DocchatError('invalid_request', 'Type a question first.');
        const query = await rewriteQuestion(trimmed, history, options.chatModel, signal);
        // Acronyms the documents define are spelled out for the answerer, so "RL" also matches "reinforcement
        // learning". Retrieval keeps the question as asked: measured on the DeepSeek-R1 paper, expanding it there
        // pulled in passages about the long form's words rather than the question.
        const acronyms = options.chunks ? acronymsOf(options.chunks()) : new Map<string, string>();

        let sources: Source[];
        let overviews: DocumentOverview[] = [];
        const overviewChunks =
          options.chunks && isOverviewQuestion(trimmed) ? buildOverviews(options.chunks()) : [];
        if (overviewChunks.length > 0) {
          overviews = overviewChunks.map(({ source, title, headings }) => ({ source, title, headings }));
          const introducing = overviewChunks.flatMap((overview) => overview.chunks).slice(0, Math.max(k, 2));
          sources = toSources(introducing.map((chunk) => ({ chunk, score: 1 })));
        } else {
          sources = toSources(await options.retriever.retrieve(query, { k, signal }));
        }
        const kind = overviews.length > 0 ? 'overview' : 'question';
        const context = formatContext(sources) + (kind === 'overview' ? formatOutline(overviews) : '');
        const messages: ChatMessage[] = [
          prompts.system.createMessage(),
          ...history.slice(-historyMessages),
          prompts.user.createMessage({ context, question: query }),
        ];
        const deltas = options.chatModel
          .stream(
            { messages, question: expandAcronyms(trimmed, acronyms), query, sources, kind, overviews },
            { signal },
          )
          [Symbol.asyncIterator]();
        // The model is asked before the sources are handed out, so its first token is on the way while they are
        // sent. The early failure handler only keeps a rejection from counting as unhandled: it is awaited below.
        let next = deltas.next();
        next.catch(() => {});
        try {
          yield { type: 'sources', query, model, sources };
          let answer = '';
          for (let step = await next; !step.done; step = await next) {
            answer += step.value;
            yield { type: 'text-delta', delta: step.value };
            next = deltas.next();
          }
          yield { type: 'done', answer, model };
        } finally {
          // A consumer that stops early ends the model's stream too (the signal aborts its request).
          deltas.return?.(undefined).catch(() => {});
        }
      } catch (error) {
        const failure = toDocchatError(error);
        yield { type: 'error', error: failure.code, message: failure.message };
      }
    },
  };
}

// Acronyms per chunk list, found again only when documents were added.
const acronymCache = new WeakMap<readonly Chunk[], { size: number; acronyms: Map<string, string> }>();

function acronymsOf(chunks: readonly Chunk[]): Map<string, string> {
  const cached = acronymCache.get(chunks);
  if (cached && cached.size === chunks.length) return cached.acronyms;
  const acronyms = findAcronyms(chunks);
  acronymCache.set(chunks, { size: chunks.length, acronyms });
  return acronyms;
}

function toSources(hits: readonly ScoredChunk[]): Source[] {
  return hits.map(({ chunk, score }, index) => ({
    n: index + 1,
    id: chunk.id,
    source: chunk.source,
    page: chunk.page,
    start: chunk.start,
    end: chunk.end,
    // Read by people and models alike: hard line breaks joined; start and end still point into the original.
    text: reflowText(chunk.text),
    score,
    ...(chunk.section === undefined ? {} : { section: chunk.section }),
  }));
}

function formatOutline(overviews: readonly DocumentOverview[]): string {
  return overviews
    .map((overview) => {
      const lines = [`\nOutline of ${overview.source}:`];
      if (overview.title) lines.push(`Title: ${overview.title}`);
      if (overview.headings.length > 0) lines.push(`Sections: ${overview.headings.join('; ')}`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}
