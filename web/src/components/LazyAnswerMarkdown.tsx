import { lazy, type ReactNode, Suspense } from 'react';
import type { AnswerMarkdownProps } from './AnswerMarkdown.tsx';

/** Fetches the Markdown renderer (react-markdown and its parsers, most of the UI's JavaScript). */
export const loadAnswerMarkdown = () => import('./AnswerMarkdown.tsx');

const AnswerMarkdown = lazy(() =>
  loadAnswerMarkdown().then((module) => ({ default: module.AnswerMarkdown })),
);

/**
 * {@link AnswerMarkdown}, split into its own chunk so the first paint does not wait for it; until it arrives
 * (main.tsx fetches it right after the first paint) the answer shows as plain text.
 */
export function LazyAnswerMarkdown(props: AnswerMarkdownProps): ReactNode {
  return (
    <Suspense fallback={<p className="answer-plain">{props.markdown}</p>}>
      <AnswerMarkdown {...props} />
    </Suspense>
  );
}
