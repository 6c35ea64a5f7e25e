import { type ReactNode, type RefObject, useEffect } from 'react';
import type { PageRect } from '../../../src/positions/passage-rects.ts';

/** Props of {@link PageHighlights}. */
export interface PageHighlightsProps {
  /** The passage's rectangles on this page, in fractions of the page. */
  rects: readonly PageRect[];
  /** The page's frame: its first highlight is scrolled into view once `ready`. */
  frameRef: RefObject<HTMLDivElement | null>;
  /** The page is drawn and has its size. */
  ready: boolean;
}

/** The passage's rectangles over a drawn page (a PDF page or an image), the first one scrolled into view. */
export function PageHighlights({ rects, frameRef, ready }: PageHighlightsProps): ReactNode {
  const highlighted = rects.length > 0;
  useEffect(() => {
    if (!ready || !highlighted) return;
    frameRef.current
      ?.querySelector('.viewer-highlight')
      ?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }, [ready, highlighted, frameRef]);

  if (!ready) return null;
  return rects.map((rect, index) => (
    <span
      // Rectangles only change with the passage, never reorder within it.
      // biome-ignore lint/suspicious/noArrayIndexKey: position in the passage is the identity here
      key={index}
      className="viewer-highlight"
      aria-hidden="true"
      style={{
        left: `${rect.x * 100}%`,
        top: `${rect.y * 100}%`,
        width: `${rect.width * 100}%`,
        height: `${rect.height * 100}%`,
      }}
    />
  ));
}
