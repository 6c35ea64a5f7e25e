import type { ReactNode } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { citationFromHref, linkCitations } from '../lib/citations.ts';

/** Props of {@link AnswerMarkdown}. */
export interface AnswerMarkdownProps {
  markdown: string;
  sourceCount: number;
  onCite: (n: number) => void;
}

/**
 * Renders an answer's Markdown safely: raw HTML in it stays text (react-markdown without rehype-raw), URLs
 * pass react-markdown's protocol filter, outside links open with `noopener noreferrer`, images become plain
 * links (no request to a third party on render), and `[n]` markers become buttons that open source n.
 */
export function AnswerMarkdown({ markdown, sourceCount, onCite }: AnswerMarkdownProps): ReactNode {
  const components: Components = {
    a({ href, children }) {
      const n = citationFromHref(href);
      if (n !== null) {
        return (
          <button
            type="button"
            className="citation"
            aria-label={`Show source ${n}`}
            onClick={() => onCite(n)}
          >
            {n}
          </button>
        );
      }
      return (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {children}
        </a>
      );
    },
    img({ src, alt }) {
      const label = alt ? `image: ${alt}` : 'image';
      return typeof src === 'string' && src !== '' ? (
        <a href={src} target="_blank" rel="noopener noreferrer">
          [{label}]
        </a>
      ) : (
        <span>[{label}]</span>
      );
    },
  };
  return (
    <div className="markdown">
      <Markdown components={components}>{linkCitations(markdown, sourceCount)}</Markdown>
    </div>
  );
}
