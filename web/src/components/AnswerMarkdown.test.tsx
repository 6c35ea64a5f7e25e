import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/core/types.ts';
import type { AnswerItem } from '../hooks/useChat.ts';
import { AnswerMarkdown } from './AnswerMarkdown.tsx';
import { AnswerView } from './AnswerView.tsx';
import { SourcesPanel } from './SourcesPanel.tsx';

const hostile = 'Look <img src=x onerror="alert(1)"> and <script>alert(2)</script> [x](javascript:alert(3))';

const noop = () => {};

describe('AnswerMarkdown', () => {
  it('renders Markdown, with raw HTML kept as text and script links neutralized', () => {
    const html = renderToStaticMarkup(
      <AnswerMarkdown markdown={`**Bold** ${hostile}`} sourceCount={0} onCite={noop} />,
    );
    expect(html).toContain('<strong>Bold</strong>');
    expect(html).not.toMatch(/<img|<script/i);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).not.toContain('javascript:');
  });

  it('turns in-range citations into buttons and opens outside links safely', () => {
    const html = renderToStaticMarkup(
      <AnswerMarkdown
        markdown="GRPO [1] and [7]; see [site](https://example.com)."
        sourceCount={2}
        onCite={noop}
      />,
    );
    expect(html).toContain('<button type="button" class="citation" aria-label="Show source 1">1</button>');
    expect(html).toContain('[7]');
    expect(html).toContain('href="https://example.com" target="_blank" rel="noopener noreferrer"');
  });

  it('shows a Markdown image as a link instead of loading it', () => {
    const html = renderToStaticMarkup(
      <AnswerMarkdown markdown="![pixel](https://tracker.example/p.gif)" sourceCount={0} onCite={noop} />,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('[image: pixel]');
  });
});

describe('SourcesPanel', () => {
  it('shows file and page, highlights question words, and never turns passage text into elements', () => {
    const source: Source = {
      n: 1,
      id: 'd#0',
      source: 'paper <b>.pdf',
      page: 3,
      start: 0,
      end: 10,
      text: `The reward model ${hostile}`,
      score: 1,
    };
    const answer: AnswerItem = {
      kind: 'answer',
      id: 'a1',
      question: 'Which reward?',
      content: '',
      sources: [source],
      query: 'reward model of GRPO',
      model: { name: 'extractive', extractive: true },
      status: 'complete',
      error: null,
    };
    const html = renderToStaticMarkup(<SourcesPanel answer={answer} focus={null} />);
    expect(html).toContain('p. 3');
    expect(html).toContain('paper &lt;b&gt;.pdf');
    expect(html).toContain('<mark>reward</mark>');
    expect(html).toContain('<mark>model</mark>');
    expect(html).not.toMatch(/<img|<script|<b>/i);
  });
});

describe('AnswerView', () => {
  const base: AnswerItem = {
    kind: 'answer',
    id: 'a1',
    question: 'And its reward?',
    content: 'It uses rules [1].',
    sources: [],
    query: 'What is the reward of GRPO?',
    model: { name: 'gpt-4o-mini', extractive: false },
    status: 'stopped',
    error: null,
  };

  it('shows the rewritten query, the model and how the answer ended', () => {
    const html = renderToStaticMarkup(
      <AnswerView answer={base} selected={false} onCite={noop} onShowSources={noop} />,
    );
    expect(html).toContain('Searched for: <q>What is the reward of GRPO?</q>');
    expect(html).toContain('gpt-4o-mini');
    expect(html).toContain('Stopped.');
  });

  it('hides the query when it is the question, and names the offline mode', () => {
    const answer: AnswerItem = {
      ...base,
      query: 'and its REWARD?',
      model: { name: 'extractive', extractive: true },
      status: 'complete',
    };
    const html = renderToStaticMarkup(
      <AnswerView answer={answer} selected={false} onCite={noop} onShowSources={noop} />,
    );
    expect(html).not.toContain('Searched for');
    expect(html).toContain('Offline · extractive');
  });
});
