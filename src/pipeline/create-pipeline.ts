import type { ChatModel, DocumentOverview, FinishReason, TokenCounter } from '../chat-models/chat-model.ts';
import { DocchatError, toDocchatError } from '../core/errors.ts';
import type { RagEvent } from '../core/events.ts';
import type { ChatMessage, Chunk, ScoredChunk, Source } from '../core/types.ts';
import { defaultPrompts, formatContext, type RagPrompts } from '../prompts/default-prompts.ts';
import type { Retriever } from '../retrieval/retriever.ts';
import { reflowText } from '../text/reflow.ts';
import { createCitationFilter } from './citation-filter.ts';
import { withDefinitionPassage } from './definition-passage.ts';
import { buildOverviews } from './document-overview.ts';
import { expandAcronyms, findAcronyms } from './expand-acronyms.ts';
import { fitPrompt } from './fit-prompt.ts';
import { createPerDocument } from './per-document.ts';
import { isOverviewQuestion } from './question-intent.ts';
import { rewriteQuestion, rewriteQuestionByRule } from './rewrite-question.ts';

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
  /** `max_tokens` of an answer (less when the model's window is small). Default 1024. */
  maxAnswerTokens?: number;
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
  const maxAnswerTokens = options.maxAnswerTokens ?? 1024;
  const { chatModel } = options;

  return {
    async *ask(question, askOptions = {}) {
      const { signal } = askOptions;
      const history = askOptions.history ?? [];
      const k = askOptions.k ?? options.k ?? 4;
      try {
        const trimmed = question.trim();
        if (trimmed.length === 0) throw new DocchatError('invalid_request', 'Type a question first.');
        // The served model is checked (and, when none was named, found) before it is first used.
        await chatModel.connect?.({ signal });
        const model = chatModel.info;
        let query = await rewriteQuestion(trimmed, history, chatModel, signal);
        // Acronyms the documents define are spelled out for the answerer, so "RL" also matches "reinforcement
        // learning". Retrieval keeps the question as asked: measured on the DeepSeek-R1 paper, expanding it there
        // pulled in passages about the long form's words rather than the question.
        const acronyms = options.chunks ? acronymsOf(options.chunks()) : new Map<string, string>();

        let sources: Source[];
        let overviews: DocumentOverview[] = [];
        const overviewChunks =
          options.chunks && isOverviewQuestion(trimmed) ? overviewsOf(options.chunks()).flat() : [];
        if (overviewChunks.length > 0) {
          overviews = overviewChunks.map(({ source, title, headings }) => ({ source, title, headings }));
          const introducing = overviewChunks.flatMap((overview) => overview.chunks).slice(0, Math.max(k, 2));
          sources = toSources(introducing.map((chunk) => ({ chunk, score: 1 })));
        } else {
          let hits = await options.retriever.retrieve(query, { k, signal });
          // A model's rewrite that finds nothing (a small model's garbled question) is searched no further: the
          // rule's rewrite, the question with the one before it, is.
          if (hits.length === 0 && query !== trimmed) {
            query = rewriteQuestionByRule(trimmed, history);
            hits = await options.retriever.retrieve(query, { k, signal });
          }
          const chunks = options.chunks?.() ?? [];
          sources = toSources(
            withDefinitionPassage(hits, expandAcronyms(trimmed, acronyms), chunks, acronyms),
          );
        }
        const kind = overviews.length > 0 ? 'overview' : 'question';
        const partsWith = (outline: string) => ({
          system: prompts.system.createMessage(),
          history: history.slice(-historyMessages),
          sources,
          render: (given: readonly Source[]) =>
            prompts.user.createMessage({ context: formatContext(given) + outline, question: query }),
        });
        const parts = partsWith(kind === 'overview' ? formatOutline(overviews) : '');
        // Models that count tokens get a prompt fitted to their window; the others take the parts whole.
        const counter = await chatModel.tokens?.({ signal });
        const fitTo = (window: TokenCounter, of: typeof parts) =>
          fitPrompt({ ...of, maxAnswerTokens, ...(signal ? { signal } : {}) }, window);
        const fitted = counter
          ? // A document's outline is a help, not a must: it is left out when it alone would not fit.
            await fitTo(counter, parts).catch((error: unknown) => {
              if (kind !== 'overview' || toDocchatError(error).code !== 'context_overflow') throw error;
              return fitTo(counter, partsWith(''));
            })
          : {
              messages: [parts.system, ...parts.history, parts.render(sources)],
              sources,
              maxTokens: maxAnswerTokens,
            };
        const given = fitted.sources;
        const finish: { reason: FinishReason } = { reason: 'stop' };
        const deltas = chatModel
          .stream(
            {
              messages: fitted.messages,
              question: expandAcronyms(trimmed, acronyms),
              query,
              sources: given,
              kind,
              overviews,
              maxTokens: fitted.maxTokens,
            },
            {
              signal,
              onFinish: (reason) => {
                finish.reason = reason;
              },
            },
          )
          [Symbol.asyncIterator]();
        // Markers that point at no passage given are dropped before they are shown or stored.
        const citations = createCitationFilter(new Set(given.map((source) => source.n)));
        // The model is asked before the sources are handed out, so its first token is on the way while they are
        // sent. The early failure handler only keeps a rejection from counting as unhandled: it is awaited below.
        let next = deltas.next();
        next.catch(() => {});
        try {
          yield { type: 'sources', query, model, sources: given };
          let answer = '';
          for (let step = await next; !step.done; step = await next) {
            const delta = citations.push(step.value);
            answer += delta;
            if (delta !== '') yield { type: 'text-delta', delta };
            next = deltas.next();
          }
          const rest = citations.flush();
          answer += rest;
          if (rest !== '') yield { type: 'text-delta', delta: rest };
          yield {
            type: 'done',
            answer,
            model: chatModel.info,
            ...(finish.reason === 'length' ? { finishReason: finish.reason } : {}),
          };
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

// The acronyms and overview of each document are found once, when it is first asked about, not per chat or
// per upload: a chat's new document costs only its own scan.
const acronymsPerDocument = createPerDocument(findAcronyms);
const overviewsOf = createPerDocument(buildOverviews);

/** The acronyms of all documents; the first document to define one wins, as in one scan over all chunks. */
function acronymsOf(chunks: readonly Chunk[]): Map<string, string> {
  const acronyms = new Map<string, string>();
  for (const found of acronymsPerDocument(chunks))
    for (const [acronym, longForm] of found) if (!acronyms.has(acronym)) acronyms.set(acronym, longForm);
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
    ...(chunk.ocr ? { ocr: true as const } : {}),
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
