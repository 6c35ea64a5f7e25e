import { describe, expect, it } from 'vitest';
import type { Chunk } from '../core/types.ts';
import { expandAcronyms, findAcronyms } from './expand-acronyms.ts';

const chunk = (text: string): Chunk => ({
  id: 'd#0',
  documentId: 'd',
  source: 'd.pdf',
  page: 1,
  start: 0,
  end: text.length,
  text,
});

describe('acronyms', () => {
  it('finds the long forms a document defines', () => {
    const acronyms = findAcronyms([
      chunk(
        'a model trained via large-scale reinforcement learning (RL) without supervised fine-tuning (SFT) as a step. ' +
          'The Department of Energy (DOE) and large language models (LLMs) agree. Table 3 (T1) is unrelated (XYZ).',
      ),
    ]);
    expect(Object.fromEntries(acronyms)).toEqual({
      RL: 'reinforcement learning',
      SFT: 'supervised fine-tuning',
      DOE: 'Department of Energy',
      LLM: 'large language models',
    });
  });

  it('spells out bare acronyms of the question once', () => {
    const acronyms = new Map([
      ['RL', 'reinforcement learning'],
      ['SFT', 'supervised fine-tuning'],
    ]);
    expect(expandAcronyms('What is RL and how does it help reasoning?', acronyms)).toBe(
      'What is RL (reinforcement learning) and how does it help reasoning?',
    );
    expect(expandAcronyms('Is reinforcement learning (RL) better than SFT?', acronyms)).toBe(
      'Is reinforcement learning (RL) better than SFT (supervised fine-tuning)?',
    );
    expect(expandAcronyms('What is PPO?', acronyms)).toBe('What is PPO?');
  });
});
