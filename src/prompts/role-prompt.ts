import type { ChatMessage } from '../core/types.ts';

/** A message template for one chat role, like the reference's `SystemRolePrompt` / `UserRolePrompt`. */
export interface RolePrompt {
  readonly role: ChatMessage['role'];
  readonly template: string;
  /** The `{name}` placeholders of the template, in order of appearance. */
  readonly variables: readonly string[];
  /** Fills the placeholders (missing ones become empty, as in the reference) and returns the message. */
  createMessage(values?: Readonly<Record<string, string>>): ChatMessage;
}

const placeholder = /\{([^}]+)\}/g;

/** Makes a {@link RolePrompt}. Values are inserted once and never re-scanned, so `{` in a document is safe. */
export function createRolePrompt(role: ChatMessage['role'], template: string): RolePrompt {
  const variables = [...template.matchAll(placeholder)].map((match) => match[1] ?? '');
  return {
    role,
    template,
    variables,
    createMessage(values = {}) {
      const content = template.replace(placeholder, (_, name: string) => values[name] ?? '');
      return { role, content };
    },
  };
}
