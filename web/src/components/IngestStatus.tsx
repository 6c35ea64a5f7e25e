import { type FormEvent, type ReactNode, useState } from 'react';
import { ocrPagesText, pageCountText } from '../../../src/core/page-count.ts';
import type { IngestItem } from '../hooks/useChat.ts';
import { progressFraction, progressLabel } from '../lib/progress.ts';
import { DismissButton } from './DismissButton.tsx';

/** Props of {@link IngestStatus}. */
export interface IngestStatusProps {
  item: IngestItem;
  onRetryWithPassword: (item: IngestItem, password: string) => void;
  /** Removes a failed upload from the timeline. */
  onDismiss: (item: IngestItem) => void;
}

function documentFacts(item: IngestItem): string {
  const document = item.document;
  if (!document) return '';
  const parts = [];
  const pages = pageCountText(document);
  if (pages !== null) parts.push(pages);
  const ocr = ocrPagesText(document);
  if (ocr !== null) parts.push(ocr);
  parts.push(`${document.chunks} ${document.chunks === 1 ? 'passage' : 'passages'}`);
  return parts.join(' · ');
}

/** "Processing `file`..." with a progress bar, then "done", or what went wrong (and a password field if asked). */
export function IngestStatus({ item, onRetryWithPassword, onDismiss }: IngestStatusProps): ReactNode {
  const [password, setPassword] = useState('');
  const name = <code>{item.fileName}</code>;

  if (item.status === 'done') {
    return (
      <div className="bubble bubble-app" role="status">
        <p>Processing {name} done. You can now ask questions!</p>
        <p className="hint">{documentFacts(item)}</p>
      </div>
    );
  }

  if (item.status === 'error' && item.error) {
    const needsPassword = item.error.code === 'pdf_encrypted' || item.error.code === 'pdf_wrong_password';
    const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      if (password !== '') onRetryWithPassword(item, password);
    };
    return (
      <div className="bubble bubble-error" role="alert">
        <p>
          <strong>Could not process {name}.</strong>
        </p>
        <p>{item.error.message}</p>
        {needsPassword && item.file ? (
          <form className="password-form" onSubmit={handleSubmit}>
            <label htmlFor={`${item.id}-password`}>PDF password</label>
            <input
              id={`${item.id}-password`}
              type="password"
              autoComplete="off"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <button type="submit" className="button button-primary" disabled={password === ''}>
              Unlock
            </button>
          </form>
        ) : null}
        <DismissButton
          label={`Dismiss the failed upload of ${item.fileName}`}
          onDismiss={() => onDismiss(item)}
        />
      </div>
    );
  }

  const fraction = item.stage ? progressFraction(item.stage, item.done, item.total) : 0;
  const percent = Math.round(fraction * 100);
  const label = item.stage ? progressLabel(item.stage, item.done, item.total, item.ocr) : 'Uploading';
  return (
    <div className="bubble bubble-app">
      <p>Processing {name}...</p>
      <div
        className="progress"
        role="progressbar"
        aria-label={`Processing ${item.fileName}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${label} (${percent}%)`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="hint" aria-live="polite">
        {label}
      </p>
    </div>
  );
}
