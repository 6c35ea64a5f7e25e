import type { ReactNode } from 'react';
import type { AnswerItem } from '../hooks/useChat.ts';
import { AnswerMarkdown } from './AnswerMarkdown.tsx';
import { ModelBadge } from './ModelBadge.tsx';

/** Props of {@link AnswerView}. */
export interface AnswerViewProps {
  answer: AnswerItem;
  selected: boolean;
  onCite: (answerId: string, n: number) => void;
  onShowSources: (answerId: string) => void;
}

/** One answer: streamed Markdown with citation buttons, its model badge, and how it ended. */
export function AnswerView({ answer, selected, onCite, onShowSources }: AnswerViewProps): ReactNode {
  const streaming = answer.status === 'streaming';
  return (
    <article
      className={selected ? 'bubble bubble-answer bubble-selected' : 'bubble bubble-answer'}
      aria-label="Answer"
    >
      <div className="answer-meta">
        {answer.model ? <ModelBadge model={answer.model} /> : null}
        {answer.sources.length > 0 ? (
          <button type="button" className="link-button" onClick={() => onShowSources(answer.id)}>
            {answer.sources.length} {answer.sources.length === 1 ? 'source' : 'sources'}
          </button>
        ) : null}
      </div>
      {answer.query &&
      answer.query.trim().toLocaleLowerCase() !== answer.question.trim().toLocaleLowerCase() ? (
        <p className="hint answer-query">
          Searched for: <q>{answer.query}</q>
        </p>
      ) : null}
      <div className="answer-body" aria-live="polite" aria-busy={streaming}>
        {answer.content === '' && streaming ? <p className="hint">Searching the document…</p> : null}
        <AnswerMarkdown
          markdown={answer.content}
          sourceCount={answer.sources.length}
          onCite={(n) => onCite(answer.id, n)}
        />
        {streaming && answer.content !== '' ? <span className="caret" aria-hidden="true" /> : null}
      </div>
      {answer.status === 'stopped' ? <p className="hint status-stopped">Stopped.</p> : null}
      {answer.status === 'interrupted' ? (
        <p className="hint status-stopped">
          Interrupted: the server stopped before this answer was finished.
        </p>
      ) : null}
      {answer.status === 'error' && answer.error ? (
        <p className="error-text" role="alert">
          {answer.error.message}
        </p>
      ) : null}
    </article>
  );
}
