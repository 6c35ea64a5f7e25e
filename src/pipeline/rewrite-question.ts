import type { ChatModel } from '../chat-models/chat-model.ts';
import type { ChatMessage } from '../core/types.ts';
import { isOverviewQuestion } from './question-intent.ts';

const referring =
  /\b(?:it|its|this|that|these|those|they|them|their|he|she|his|her|former|latter|(?:the\s+)?(?:first|second|third|other|last)\s+(?:one|ones)|same)\b/i;
const continuing =
  /^\s*(?:and|but|so|also|or|then|what about|how about|why|how come|compared|versus|vs\.?)\b/i;

// "This paper", "the document": the uploaded document, not something said earlier in the conversation.
const documentReference =
  /\b(?:this|that|the)\s+(?:paper|document|file|text|article|report|book|pdf|docs?)\b/gi;

/**
 * True when a question leans on the conversation ("and how does that compare?", "what about the second one?").
 * A question about the whole document ("What is this paper about?") stands on its own.
 */
export function needsContext(question: string): boolean {
  if (isOverviewQuestion(question)) return false;
  question = question.replace(documentReference, ' ');
  const words = question.trim().split(/\s+/).filter(Boolean);
  return referring.test(question) || continuing.test(question) || words.length <= 3;
}

/**
 * The offline rule for follow-ups: a question that refers back gets the previous question attached, so that
 * retrieval sees what "it" or "the second one" stands for. Deterministic; no model involved.
 */
export function rewriteQuestionByRule(question: string, history: readonly ChatMessage[]): string {
  const previous = history.findLast((message) => message.role === 'user')?.content.trim();
  if (!previous || !needsContext(question)) return question;
  return `${question.trim()} (following up on: ${previous})`;
}

/** `max_tokens` of the follow-up rewrite: a standalone question is one sentence. */
export const rewriteMaxTokens = 96;

const rewriteInstruction =
  'Rewrite the last user question as one standalone question that can be understood without the conversation. ' +
  'Replace pronouns and references with what they refer to. Reply with the question only.';

/**
 * Rewrites a follow-up into a standalone question with the chat model; falls back to the rule when the
 * question does not refer back, when the model is the extractive one, when the model fails, or when what it
 * wrote is no question (cut off at its length limit, or without a word in it).
 */
export async function rewriteQuestion(
  question: string,
  history: readonly ChatMessage[],
  chatModel: ChatModel,
  signal?: AbortSignal,
): Promise<string> {
  if (history.length === 0 || !needsContext(question)) return question;
  if (chatModel.info.extractive) return rewriteQuestionByRule(question, history);
  const transcript = history
    .slice(-6)
    .map((message) => `${message.role}: ${message.content.slice(0, 1500)}`)
    .join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: rewriteInstruction },
    { role: 'user', content: `Conversation:\n${transcript}\n\nLast question: ${question}` },
  ];
  try {
    let rewritten = '';
    let finish: string | undefined;
    for await (const delta of chatModel.stream(
      {
        messages,
        question,
        query: question,
        sources: [],
        kind: 'question',
        overviews: [],
        maxTokens: rewriteMaxTokens,
      },
      {
        signal,
        onFinish: (reason) => {
          finish = reason;
        },
      },
    )) {
      rewritten += delta;
    }
    rewritten = rewritten.trim().replace(/^["“]|["”]$/g, '');
    // A question cut off at its length limit, or one without words, is no question: the rule's is used.
    return finish !== 'length' && /\p{L}{2,}/u.test(rewritten) && rewritten.length < 1000
      ? rewritten
      : rewriteQuestionByRule(question, history);
  } catch (error) {
    if (signal?.aborted) throw error;
    return rewriteQuestionByRule(question, history);
  }
}
