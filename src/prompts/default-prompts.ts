import type { Source } from '../core/types.ts';
import { createRolePrompt, type RolePrompt } from './role-prompt.ts';

/** The prompts a pipeline uses: a system prompt and a user prompt with `{context}` and `{question}`. */
export interface RagPrompts {
  system: RolePrompt;
  user: RolePrompt;
}

/** The reference app's system template, verbatim. */
export const referenceSystemTemplate =
  "Use the following context to answer a users question. If you cannot find the answer in the context, say you don't know the answer.";

/** The reference app's user template, verbatim. */
export const referenceUserTemplate = 'Context:\n{context}\n\nQuestion:\n{question}\n';

/** The default system template: answer from the numbered passages, cite each claim, admit what they do not say. */
export const citedSystemTemplate =
  "Answer the user's question using only the numbered passages in the context. After each claim, put the number " +
  'of the passage that supports it in square brackets, like [1] or [2][3]. If the passages do not say, answer that ' +
  "you don't know from the documents; never guess or use outside knowledge.";

/** The reference app's templates, verbatim (`DOCCHAT_PROMPTS=reference`). */
export const referencePrompts: RagPrompts = {
  system: createRolePrompt('system', referenceSystemTemplate),
  user: createRolePrompt('user', referenceUserTemplate),
};

/** The default prompts: the cited system template with the reference's user template. */
export const defaultPrompts: RagPrompts = {
  system: createRolePrompt('system', citedSystemTemplate),
  user: createRolePrompt('user', referenceUserTemplate),
};

/** The prompts a `DOCCHAT_PROMPTS` setting names. */
export function promptsFor(setting: 'cited' | 'reference'): RagPrompts {
  return setting === 'reference' ? referencePrompts : defaultPrompts;
}

/**
 * Renders retrieved passages for `{context}`. Each passage is labelled `[n]` with its file and page, so a model
 * can cite it and a reader of the prompt can trace it; the reference joined bare texts with newlines.
 */
export function formatContext(sources: readonly Source[]): string {
  return sources
    .map((source) => {
      const where = source.page === null ? source.source : `${source.source}, page ${source.page}`;
      return `[${source.n}] (${where})\n${source.text}\n`;
    })
    .join('\n');
}
