import { describe, expect, it } from 'vitest';
import type { Source } from '../core/types.ts';
import type { ChatRequest } from './chat-model.ts';
import { createExtractiveChatModel, noAnswerText } from './extractive-chat-model.ts';

const source = (n: number, text: string, page: number | null = n): Source => ({
  n,
  id: `d#${n}`,
  source: 'paper.pdf',
  page,
  start: 0,
  end: text.length,
  text,
  score: 1 / n,
});

const request = (question: string, sources: Source[], extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [],
  question,
  query: question,
  sources,
  kind: 'question',
  overviews: [],
  ...extra,
});

async function answer(chatRequest: ChatRequest): Promise<{ text: string; deltas: number }> {
  let text = '';
  let deltas = 0;
  for await (const delta of createExtractiveChatModel().stream(chatRequest)) {
    text += delta;
    deltas++;
  }
  return { text, deltas };
}

describe('extractive chat model: "What is X?"', () => {
  it('leads with the sentence that says what X is, even from a lower-ranked passage', async () => {
    const passages = [
      source(
        1,
        'Reinforcement learning helps reasoning because rewards favour correct answers. It scales with compute.',
      ),
      source(
        2,
        'In this paper, we improve reasoning using pure reinforcement learning (RL). The base model is small.',
      ),
    ];
    const { text } = await answer(
      request('What is RL (reinforcement learning) and how does it help reasoning?', passages),
    );
    expect(
      text.startsWith('In this paper, we improve reasoning using pure reinforcement learning (RL). [2]'),
    ).toBe(true);
    expect(text).toContain('rewards favour correct answers. [1]');
  });

  it('prefers a real definition to the sentence that only introduces the abbreviation', async () => {
    const passages = [
      source(1, 'We train the model with reinforcement learning (RL) on math problems.'),
      source(
        2,
        'Reinforcement learning is a way of learning from rewards rather than from labelled examples.',
      ),
    ];
    const { text } = await answer(request('What is RL (reinforcement learning)?', passages));
    expect(text.startsWith('Reinforcement learning is a way of learning from rewards')).toBe(true);
  });
});

describe('extractive chat model', () => {
  const sources = [
    source(
      1,
      'Reinforcement learning (RL) lets a model improve by rewards. The weather in spring is mild and pleasant for walks.',
    ),
    source(
      2,
      'DeepSeek-R1-Zero is trained with pure RL, without supervised fine-tuning as a preliminary step.',
    ),
    source(3, 'Table 3 | 79.8 71.0 97.3 | 96.3 90.6'),
  ];

  it('answers with the matching sentences and their [n] markers, streamed word by word', async () => {
    const { text, deltas } = await answer(request('How is DeepSeek-R1-Zero trained with RL?', sources));
    expect(text).toContain('DeepSeek-R1-Zero is trained with pure RL, without supervised fine-tuning');
    expect(text).toMatch(/\[2\]/);
    expect(text).not.toContain('weather');
    expect(deltas).toBeGreaterThan(5);
  });

  it('quotes only text from the sources', async () => {
    const { text } = await answer(request('What is reinforcement learning (RL)?', sources));
    for (const sentence of text.split(/ \[\d+\] ?/).filter(Boolean)) {
      expect(sources.some((item) => item.text.includes(sentence.trim()))).toBe(true);
    }
  });

  it('lets a follow-up question lead over the conversation terms of its standalone query', async () => {
    const { text } = await answer(
      request('And what is its weather like?', sources, {
        query: 'And what is its weather like? (following up on: What is DeepSeek-R1-Zero trained with?)',
      }),
    );
    expect(text).toContain('The weather in spring is mild');
  });

  it('answers "difference between X and Y" with a sentence that defines each side', async () => {
    const compared = [
      source(
        1,
        'Alpha-One and Alpha-One-Zero are released today. Alpha-One-Zero scores well on the benchmark.',
      ),
      source(
        2,
        'Alpha-One-Zero, a model trained with pure reinforcement learning, reasons well. We then build Alpha-One, which adds a cold start before reinforcement learning.',
      ),
    ];
    const { text } = await answer(
      request('What is the difference between Alpha-One and Alpha-One-Zero?', compared),
    );
    expect(text).toBe(
      'We then build Alpha-One, which adds a cold start before reinforcement learning. [2] Alpha-One-Zero, a model trained with pure reinforcement learning, reasons well. [2]',
    );
  });

  it('quotes prose only, once: no Markdown headings or table rows, no sentence twice from overlapping chunks', async () => {
    const markdown = [
      source(
        1,
        '## Deploy to a Space\n\nPush the repository to the Space to deploy it.\n\n| Deploy | Space | yes |',
      ),
      source(2, 'Push the repository to the Space to deploy it. The Space then builds the image.'),
    ];
    const { text } = await answer(request('How do I deploy to a Space?', markdown));
    expect(text).toBe('Push the repository to the Space to deploy it. [1]');
  });

  it('says it does not know when nothing relevant was retrieved', async () => {
    expect((await answer(request('Which football club won the league?', sources))).text).toBe(noAnswerText);
    expect((await answer(request('What is RL?', []))).text).toBe(noAnswerText);
  });

  it('answers overview questions from the title, the abstract and the headings', async () => {
    const opening = source(
      1,
      'A Study of Things\nAbstract\nWe introduce a method for studying things. It works on many things at once. Results are strong.',
    );
    const { text } = await answer(
      request('What is this paper about?', [opening], {
        kind: 'overview',
        overviews: [
          { source: 'paper.pdf', title: 'A Study of Things', headings: ['Introduction', 'Method'] },
        ],
      }),
    );
    expect(text).toContain('“A Study of Things”');
    expect(text).toContain('We introduce a method for studying things. It works on many things at once. [1]');
    expect(text).toContain('Introduction; Method');
  });

  it('is labelled extractive and stops when aborted', async () => {
    const model = createExtractiveChatModel();
    expect(model.info).toEqual({ name: 'extractive', extractive: true });
    const controller = new AbortController();
    const received: string[] = [];
    await expect(async () => {
      for await (const delta of model.stream(
        request('How is DeepSeek-R1-Zero trained?', sources),
        controller,
      )) {
        received.push(delta);
        controller.abort();
      }
    }).rejects.toMatchObject({ code: 'aborted' });
    expect(received).toHaveLength(1);
  });
});
