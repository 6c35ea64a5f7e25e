import { describe, expect, it } from 'vitest';
import type { Source } from '../core/types.ts';
import {
  defaultPrompts,
  formatContext,
  promptsFor,
  referenceSystemTemplate,
  referenceUserTemplate,
} from './default-prompts.ts';
import { createRolePrompt } from './role-prompt.ts';

describe('role prompts', () => {
  it('fills placeholders like the reference and lists its variables', () => {
    const prompt = createRolePrompt('user', 'Context:\n{context}\n\nQuestion:\n{question}\n');
    expect(prompt.variables).toEqual(['context', 'question']);
    expect(prompt.createMessage({ context: 'C', question: 'Q?' })).toEqual({
      role: 'user',
      content: 'Context:\nC\n\nQuestion:\nQ?\n',
    });
  });

  it('leaves missing values empty and never re-scans inserted text', () => {
    const prompt = createRolePrompt('user', '{a}|{b}');
    expect(prompt.createMessage({ a: '{b}' }).content).toBe('{b}|');
  });

  it('defaults to citing prompts, and keeps the reference templates verbatim one setting away', () => {
    expect(defaultPrompts.user.template).toBe(referenceUserTemplate);
    expect(defaultPrompts.system.createMessage().content).toMatch(/\[1\].*don't know/s);
    expect(defaultPrompts.system.role).toBe('system');
    expect(promptsFor('reference').system.template).toBe(referenceSystemTemplate);
    expect(promptsFor('reference').user.template).toBe(referenceUserTemplate);
    expect(promptsFor('cited')).toBe(defaultPrompts);
  });

  it('labels context passages with their marker, file and page', () => {
    const source: Source = {
      n: 2,
      id: 'd#0',
      source: 'a.pdf',
      page: 3,
      start: 0,
      end: 5,
      text: 'Hello',
      score: 1,
    };
    expect(formatContext([source, { ...source, n: 3, page: null, source: 'b.txt' }])).toBe(
      '[2] (a.pdf, page 3)\nHello\n\n[3] (b.txt)\nHello\n',
    );
  });
});
