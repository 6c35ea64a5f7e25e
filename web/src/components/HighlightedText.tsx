import type { ReactNode } from 'react';
import { splitHighlights } from '../lib/highlight.ts';

/** A passage with the question's words wrapped in `<mark>`, built from React nodes (the text is never HTML). */
export function HighlightedText({ text, terms }: { text: string; terms: ReadonlySet<string> }): ReactNode {
  let offset = 0;
  return splitHighlights(text, terms).map((segment) => {
    const key = offset;
    offset += segment.text.length;
    return segment.match ? <mark key={key}>{segment.text}</mark> : <span key={key}>{segment.text}</span>;
  });
}
