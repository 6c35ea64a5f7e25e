import { type ReactNode, useEffect, useRef } from 'react';

/** A text document in full, with the passage `[start, end)` marked and scrolled into view. */
export function TextDocument({ text, start, end }: { text: string; start: number; end: number }): ReactNode {
  const markRef = useRef<HTMLElement>(null);
  useEffect(() => {
    markRef.current?.scrollIntoView({ block: 'center' });
  }, []);
  return (
    <div className="viewer-text">
      {text.slice(0, start)}
      <mark className="viewer-highlight-text" ref={markRef}>
        {text.slice(start, end)}
      </mark>
      {text.slice(end)}
    </div>
  );
}
