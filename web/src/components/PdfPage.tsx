import type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { PageRect } from '../../../src/positions/passage-rects.ts';
import { PageHighlights } from './PageHighlights.tsx';

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
      <PageHighlights rects={rects} frameRef={frameRef} ready={size !== null} />
      {error ? (
        <p className="error-text viewer-page-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
