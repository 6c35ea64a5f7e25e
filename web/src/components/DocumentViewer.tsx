import type { PDFDocumentProxy } from 'pdfjs-dist';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Source } from '../../../src/core/types.ts';
import { passageRects } from '../../../src/positions/passage-rects.ts';
import type { DocumentLayout } from '../api/api-types.ts';
import type { ApiClient } from '../api/client.ts';
import { useDialogFocus } from '../hooks/useDialogFocus.ts';
import { citationLabel } from '../lib/format.ts';
import { openPdf } from '../lib/pdf.ts';
import { ImagePage } from './ImagePage.tsx';
import { PdfPage } from './PdfPage.tsx';
import { TextDocument } from './TextDocument.tsx';

/** What the viewer shows: a source's passage in its document. */
export interface ViewerTarget {
  chatId: string;
  documentId: string;
  kind: 'text' | 'pdf';
  source: Source;
}

/** Props of {@link DocumentViewer}. */
export interface DocumentViewerProps {
  api: ApiClient;
  target: ViewerTarget;
  onClose: () => void;
}

/** Widths of text in a sans-serif face like most PDFs' body text: close enough to cut a line at a word. */
function canvasTextWidth(): (text: string) => number {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return (text) => text.length;
  context.font = '100px Helvetica, Arial, "Liberation Sans", sans-serif';
  return (text) => context.measureText(text).width;
}

/** Padding of the page area on each side, in CSS pixels, kept free around the page. */
const pageMargin = 16;

/**
 * A modal dialog with a cited passage in its original: a PDF page drawn by pdf.js with the passage's exact
 * rectangles over its words (previous and next page to move on), or a text document with the span marked.
 * Loaded lazily with pdf.js, so the first paint of the app does not carry them.
 */
export default function DocumentViewer({ api, target, onClose }: DocumentViewerProps): ReactNode {
  const { chatId, documentId, kind, source } = target;
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<DocumentLayout | null>(null);
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  // An image read by OCR: shown with its words' boxes, like a PDF page.
  const [image, setImage] = useState<Blob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [page, setPage] = useState<number>(source.page ?? 1);
  const [width, setWidth] = useState(0);
  useDialogFocus(dialogRef, closeRef, onClose);

  useEffect(() => {
    const controller = new AbortController();
    let opened: PDFDocumentProxy | null = null;
    setLayout(null);
    setPdf(null);
    setImage(null);
    setError(null);
    void (async () => {
      try {
        const loadedLayout = await api.documentLayout(chatId, documentId, { signal: controller.signal });
        // A text document has no boxes: its layout's text is all the viewer needs.
        const file =
          kind === 'pdf' || loadedLayout.boxes.length > 0
            ? await api.documentFile(chatId, documentId, { signal: controller.signal })
            : null;
        if (controller.signal.aborted) return;
        const first = passageRects(loadedLayout.boxes, source.start, source.end)[0];
        setPage(first?.page ?? source.page ?? 1);
        setLayout(loadedLayout);
        if (file !== null && kind !== 'pdf' && file.type.startsWith('image/')) setImage(file);
        else if (file !== null && kind === 'pdf') {
          opened = await openPdf(await file.arrayBuffer());
          if (controller.signal.aborted) {
            void opened.loadingTask.destroy();
            return;
          }
          setPdf(opened);
        }
      } catch (failure) {
        if (controller.signal.aborted) return;
        setError(failure instanceof Error ? failure.message : 'The document could not be opened.');
      }
    })();
    return () => {
      controller.abort();
      void opened?.loadingTask.destroy();
    };
  }, [api, chatId, documentId, kind, source.start, source.end, source.page]);

  useEffect(() => {
    const body = bodyRef.current;
    if (!body) return;
    const measure = () => setWidth(Math.max(0, body.clientWidth - 2 * pageMargin));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(body);
    return () => observer.disconnect();
  }, []);

  const highlights = useMemo(
    () =>
      layout
        ? passageRects(layout.boxes, source.start, source.end, {
            text: layout.text,
            width: canvasTextWidth(),
          })
        : [],
    [layout, source.start, source.end],
  );
  const pageCount = pdf?.numPages ?? 0;
  const rects = highlights.find((highlight) => highlight.page === page)?.rects ?? [];
  const passagePages = highlights.map((highlight) => highlight.page);
  const goTo = useCallback(
    (next: number) =>
      setPage((current) => (pageCount > 0 ? Math.min(Math.max(next, 1), pageCount) : current)),
    [pageCount],
  );

  const title = `Source ${source.n}: ${citationLabel(source)}`;
  const spread =
    passagePages.length > 1 ? `The passage runs over pages ${passagePages[0]}–${passagePages.at(-1)}.` : null;

  return (
    <div className="viewer-backdrop">
      <div
        className="viewer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="viewer-title"
        aria-describedby="viewer-passage"
        ref={dialogRef}
      >
        <header className="viewer-head">
          <h2 id="viewer-title" className="viewer-title">
            {title}
          </h2>
          {kind === 'pdf' ? (
            <nav className="viewer-pages" aria-label="Pages">
              <button
                type="button"
                className="button button-ghost"
                aria-label="Previous page"
                disabled={page <= 1 || pageCount === 0}
                onClick={() => goTo(page - 1)}
              >
                ‹ Prev
              </button>
              <span className="viewer-page-number" aria-live="polite">
                {pageCount > 0 ? `Page ${page} of ${pageCount}` : 'Loading…'}
              </span>
              <button
                type="button"
                className="button button-ghost"
                aria-label="Next page"
                disabled={page >= pageCount}
                onClick={() => goTo(page + 1)}
              >
                Next ›
              </button>
            </nav>
          ) : null}
          <button
            type="button"
            className="button button-ghost viewer-close"
            aria-label="Close the document viewer"
            ref={closeRef}
            onClick={onClose}
          >
            ✕
          </button>
        </header>
        <p id="viewer-passage" className="viewer-passage">
          <span className="visually-hidden">Highlighted passage: </span>
          {source.text}
          {spread ? <span className="hint"> {spread}</span> : null}
          {source.ocr ? (
            <span className="hint viewer-ocr">
              {' '}
              This text was read by OCR from the page image: words may be misread.
            </span>
          ) : null}
        </p>
        <div className="viewer-body" ref={bodyRef}>
          {error ? (
            <p className="error-text" role="alert">
              {error}
            </p>
          ) : kind === 'pdf' ? (
            pdf && width > 0 ? (
              <PdfPage
                pdf={pdf}
                page={page}
                width={width}
                rects={rects}
                label={`Page ${page} of ${source.source}${rects.length > 0 ? ', with the passage highlighted' : ''}`}
              />
            ) : (
              <p className="hint">Opening {source.source}…</p>
            )
          ) : image && width > 0 ? (
            <ImagePage
              image={image}
              width={width}
              rects={rects}
              label={`${source.source}${rects.length > 0 ? ', with the passage highlighted' : ''}`}
            />
          ) : layout ? (
            <TextDocument text={layout.text} start={source.start} end={source.end} />
          ) : (
            <p className="hint">Opening {source.source}…</p>
          )}
        </div>
      </div>
    </div>
  );
}
