import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { PageRect } from '../../../src/positions/passage-rects.ts';
import { PageHighlights } from './PageHighlights.tsx';

/** Props of {@link ImagePage}. */
export interface ImagePageProps {
  image: Blob;
  /** CSS pixels the image may be wide. */
  width: number;
  /** The passage's rectangles, in fractions of the image. */
  rects: readonly PageRect[];
  label: string;
}

/** An image document (its text read by OCR) with the passage's rectangles over its words. */
export function ImagePage({ image, width, rects, label }: ImagePageProps): ReactNode {
  const [url, setUrl] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const frameRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const objectUrl = URL.createObjectURL(image);
    setUrl(objectUrl);
    setLoaded(false);
    return () => URL.revokeObjectURL(objectUrl);
  }, [image]);

  return (
    <div className="viewer-page" ref={frameRef} data-page={1} style={{ width }}>
      {url ? <img src={url} alt={label} className="viewer-image" onLoad={() => setLoaded(true)} /> : null}
      <PageHighlights rects={rects} frameRef={frameRef} ready={loaded} />
    </div>
  );
}
