import { describe, expect, it } from 'vitest';
import { definedTerm, definitionStrength } from './definitions.ts';

describe('definedTerm', () => {
  it('finds the subject of "What is X?" questions, with a long form given in brackets', () => {
    expect(definedTerm('What is RL and how does it help reasoning?')).toEqual({ term: 'RL', names: ['RL'] });
    expect(definedTerm('What is RL (reinforcement learning) and how does it help?')).toEqual({
      term: 'RL',
      names: ['RL', 'reinforcement learning'],
    });
    expect(definedTerm('What are cold-start data?')?.term).toBe('cold-start data');
    expect(definedTerm("What's a process reward model?")?.term).toBe('process reward model');
    expect(definedTerm('What does GRPO stand for?')?.term).toBe('GRPO');
  });

  it('ignores questions about the document and any other question', () => {
    expect(definedTerm('What is this paper about?')).toBeNull();
    expect(definedTerm('What is it?')).toBeNull();
    expect(definedTerm('How does GRPO work?')).toBeNull();
    expect(
      definedTerm('What is the difference between the two models that they trained on math data?'),
    ).toBeNull();
  });
});

describe('definitionStrength', () => {
  const names = ['RL', 'reinforcement learning'];
  it('tells definitions from abbreviation introductions from mere mentions', () => {
    expect(definitionStrength('Reinforcement learning is a way of learning from rewards.', names)).toBe(2);
    expect(definitionStrength('RL refers to training with rewards.', names)).toBe(2);
    expect(definitionStrength('This is known as reinforcement learning.', names)).toBe(2);
    expect(definitionStrength('We train with pure reinforcement learning (RL).', names)).toBe(1);
    expect(definitionStrength('After thousands of RL steps, it improves.', names)).toBe(0);
    expect(definitionStrength('CRL is something else.', names)).toBe(0);
  });
});
