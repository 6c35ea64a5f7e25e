import { type FormEvent, type KeyboardEvent, type ReactNode, useState } from 'react';

/** Props of {@link Composer}. */
export interface ComposerProps {
  /** Why asking is not possible right now, or `null` when it is. */
  disabledReason: string | null;
  answering: boolean;
  onAsk: (question: string) => void;
  onStop: () => void;
  onAddFile: () => void;
  canAddFile: boolean;
}

const maxQuestionLength = 4000;

/** The question box: Enter sends, Shift+Enter adds a line; Stop replaces Send while an answer streams. */
export function Composer({
  disabledReason,
  answering,
  onAsk,
  onStop,
  onAddFile,
  canAddFile,
}: ComposerProps): ReactNode {
  const [question, setQuestion] = useState('');
  const disabled = disabledReason !== null;

  const send = () => {
    const text = question.trim();
    if (text === '' || disabled || answering) return;
    onAsk(text);
    setQuestion('');
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    send();
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape' && answering) {
      onStop();
    }
  };

  return (
    <form className="composer" onSubmit={handleSubmit}>
      <button
        type="button"
        className="button button-icon"
        onClick={onAddFile}
        disabled={!canAddFile}
        aria-label="Add another file to this chat"
        title="Add another file to this chat"
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" focusable="false">
          <path
            d="M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.6-5.6l-8 8a6 6 0 0 0 8.5 8.5l6.4-6.4"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinecap="round"
          />
        </svg>
      </button>
      <textarea
        aria-label="Your question"
        placeholder={disabledReason ?? 'Ask a question about your documents…'}
        aria-describedby="composer-hint"
        value={question}
        rows={1}
        maxLength={maxQuestionLength}
        disabled={disabled}
        onChange={(event) => setQuestion(event.target.value)}
        onKeyDown={handleKeyDown}
      />
      {answering ? (
        <button type="button" className="button button-stop" onClick={onStop} aria-label="Stop the answer">
          Stop
        </button>
      ) : (
        <button type="submit" className="button button-primary" disabled={disabled || question.trim() === ''}>
          Send
        </button>
      )}
      <p id="composer-hint" className="hint composer-hint">
        Enter sends · Shift+Enter adds a line{answering ? ' · Esc stops' : ''}
      </p>
    </form>
  );
}
