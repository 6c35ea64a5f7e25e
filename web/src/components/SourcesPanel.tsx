import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import type { AnswerItem } from '../hooks/useChat.ts';
import { pageLabel } from '../lib/format.ts';
import { questionTerms } from '../lib/highlight.ts';
import { HighlightedText } from './HighlightedText.tsx';

/** Props of {@link SourcesPanel}. */
export interface SourcesPanelProps {
  answer: AnswerItem | null;
  /** The source to bring into view (a citation was clicked), with a counter so a second click works too. */
  focus: { n: number; at: number } | null;
  /** Opens source n's passage in its document. */
  onOpen?: (n: number) => void;
}

/** The passages behind an answer, each with its file and page, the question's words highlighted. */
export function SourcesPanel({ answer, focus, onOpen }: SourcesPanelProps): ReactNode {
  const listRef = useRef<HTMLOListElement>(null);
  const terms = useMemo(
    () => new Set([...questionTerms(answer?.question ?? ''), ...questionTerms(answer?.query ?? '')]),
    [answer?.question, answer?.query],
  );

  useEffect(() => {
    if (!focus) return;
    const card = listRef.current?.querySelector<HTMLElement>(`[data-source="${focus.n}"]`);
    if (!card) return;
    card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    card.focus({ preventScroll: true });
  }, [focus]);

  return (
    <aside className="sources" aria-labelledby="sources-title">
      <h2 id="sources-title">Sources</h2>
      {!answer || answer.sources.length === 0 ? (
        <p className="hint">
          {answer?.status === 'streaming' ? 'Searching…' : 'The passages behind an answer appear here.'}
        </p>
      ) : (
        <ol className="source-list" ref={listRef}>
          {answer.sources.map((source) => {
            const page = pageLabel(source.page);
            return (
              <li
                key={`${source.n}-${source.id}`}
                className={focus?.n === source.n ? 'source source-focused' : 'source'}
                data-source={source.n}
                tabIndex={-1}
                aria-label={`Source ${source.n}: ${source.source}${page ? `, ${page}` : ''}${source.ocr ? ', text read by OCR' : ''}`}
              >
                <div className="source-head">
                  <span className="source-n">{source.n}</span>
                  <span className="source-file">{source.source}</span>
                  {page ? <span className="source-page">{page}</span> : null}
                  {source.ocr ? (
                    <span
                      className="source-ocr"
                      title="Read by OCR from a scanned page: words may be misread"
                    >
                      OCR
                    </span>
                  ) : null}
                  {source.section && source.section.length > 0 ? (
                    <span className="source-section">{source.section.slice(-2).join(', ')}</span>
                  ) : null}
                </div>
                <p className="source-text">
                  <HighlightedText text={source.text} terms={terms} />
                </p>
                {onOpen ? (
                  <button
                    type="button"
                    className="link-button source-open"
                    aria-label={`Show source ${source.n} in ${source.source}`}
                    onClick={() => onOpen(source.n)}
                  >
                    Show in document
                  </button>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}
