import type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { PageRect } from '../../../src/positions/passage-rects.ts';

/** Props of {@link PdfPage}. */
export interface PdfPageProps {
  pdf: PDFDocumentProxy;
  /** 1-based page number. */
  page: number;
  /** CSS pixels the page may be wide. */
  width: number;
  /** The passage's rectangles on this page, in fractions of the page. */
  rects: readonly PageRect[];
  label: string;
}

/** One page of a PDF drawn by pdf.js on a canvas, with the passage's rectangles laid over its words. */
export function PdfPage({ pdf, page, width, rects, label }: PdfPageProps): ReactNode {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let task: RenderTask | null = null;
    setError(null);
    void (async () => {
      try {
        const pdfPage = await pdf.getPage(page);
        if (cancelled) return;
        const unscaled = pdfPage.getViewport({ scale: 1 });
        const viewport = pdfPage.getViewport({ scale: Math.max(width, 100) / unscaled.width });
        const canvas = canvasRef.current;
        if (!canvas) return;
        // Drawn at the screen's pixel density so text stays sharp on phones and high-DPI screens.
        const density = window.devicePixelRatio || 1;
        canvas.width = Math.floor(viewport.width * density);
        canvas.height = Math.floor(viewport.height * density);
        setSize({ width: viewport.width, height: viewport.height });
        task = pdfPage.render({
          canvas,
          viewport,
          ...(density === 1 ? {} : { transform: [density, 0, 0, density, 0, 0] }),
        });
        await task.promise;
      } catch (failure) {
        if (!cancelled && !(failure instanceof Error && failure.name === 'RenderingCancelledException')) {
          setError('This page could not be drawn.');
        }
      }
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, page, width]);

  // The first rectangle of the passage is brought into view once the page has its size.
  const highlighted = rects.length > 0;
  useEffect(() => {
    if (size === null || !highlighted) return;
    frameRef.current
      ?.querySelector('.viewer-highlight')
      ?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }, [size, highlighted]);

  return (
    <div
      className="viewer-page"
      ref={frameRef}
      data-page={page}
      style={size ? { width: size.width, height: size.height } : { width, minHeight: width * 1.3 }}
    >
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={label}
        style={size ? { width: size.width, height: size.height } : undefined}
      />
      {rects.map((rect, index) => (
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
      ))}
      {error ? (
        <p className="error-text viewer-page-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
