import { describe, expect, it } from 'vitest';
import { isOverviewQuestion } from './question-intent.ts';
import { needsContext, rewriteQuestionByRule } from './rewrite-question.ts';

describe('isOverviewQuestion', () => {
  it.each([
    'What is this paper about?',
    'what is the document about',
    'Summarize this',
    'Can you give me a summary?',
    'What are the main points?',
    'What are the key findings of the paper?',
    'tl;dr',
  ])('recognizes "%s"', (question) => expect(isOverviewQuestion(question)).toBe(true));

  it.each([
    'What is RL and how does it help reasoning?',
    'What is the difference between DeepSeek-R1 and DeepSeek-R1-Zero?',
    'Which benchmarks are used?',
  ])('leaves "%s" to retrieval', (question) => expect(isOverviewQuestion(question)).toBe(false));
});

describe('follow-up rewriting by rule', () => {
  const history = [
    { role: 'user' as const, content: 'What is DeepSeek-R1-Zero?' },
    { role: 'assistant' as const, content: 'A model trained with RL.' },
  ];

  it('attaches the previous question to a question that refers back', () => {
    expect(needsContext('and how does that compare?')).toBe(true);
    expect(needsContext('What about the second one?')).toBe(true);
    expect(rewriteQuestionByRule('How does it compare with DeepSeek-R1?', history)).toBe(
      'How does it compare with DeepSeek-R1? (following up on: What is DeepSeek-R1-Zero?)',
    );
  });

  it('leaves standalone questions and first questions alone', () => {
    expect(needsContext('Which benchmarks measure mathematical reasoning?')).toBe(false);
    expect(rewriteQuestionByRule('Which benchmarks measure mathematical reasoning?', history)).toBe(
      'Which benchmarks measure mathematical reasoning?',
    );
    expect(rewriteQuestionByRule('and that one?', [])).toBe('and that one?');
  });

  it('never rewrites a whole-document question, nor reads "this paper" as a reference to the conversation', () => {
    expect(needsContext('What is this paper about?')).toBe(false);
    expect(rewriteQuestionByRule('What is this paper about?', history)).toBe('What is this paper about?');
    expect(rewriteQuestionByRule('Summarize the document', history)).toBe('Summarize the document');
    expect(needsContext('Which datasets does this paper use for evaluation?')).toBe(false);
    expect(needsContext('Which datasets does it use for evaluation?')).toBe(true);
  });
});
