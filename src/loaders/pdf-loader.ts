import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument, TextBox } from '../core/types.ts';
import { createLimitMeter, documentTooLarge, type LimitMeter } from './document-limits.ts';
import { findPdfHeader } from './file-types.ts';
import { joinPages } from './join-pages.ts';
import { layoutTextItems, type PdfTextItem, type TextLine } from './layout-text-items.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import { createOcrEngine, type OcrEngine } from './ocr-engine.ts';
import { ocrTextBoxes, ocrTextLines } from './ocr-layout.ts';
import { type OcrPage, ocrPages } from './ocr-pages.ts';
import { defaultOcrSettings } from './ocr-settings.ts';
import { deflatedStreamsSize } from './pdf-decoded-size.ts';
import { headingsFromLayout, headingsFromOutline, type OutlineEntry } from './pdf-headings.ts';
import { renderPages } from './render-pages.ts';
import { renderPdfPage } from './render-pdf-page.ts';
import { alignRuns, type NormalizedBox, textItemBox } from './text-item-boxes.ts';

type PdfDocument = Awaited<ReturnType<typeof getDocument>['promise']>;
type PdfMetadata = Awaited<ReturnType<PdfDocument['getMetadata']>>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
/** The font metrics pdf.js reports per font name beside the text items. */
type PdfTextStyle = { ascent?: number; descent?: number };
/** A text item with the font it is set in, whose style gives its box's height. */
type PlacedItem = PdfTextItem & { fontName: string };

/** pdf.js, imported on first use so that a process that never reads a PDF never loads it. */
const pdfjs = () => import('pdfjs-dist/legacy/build/pdf.mjs');

/**
 * Below this many letters per page on average, a PDF is taken for a scan: stamped page numbers or a stray
 * mark do not make a text layer, while one short word such as "Secret!" on a one-page document does.
 */
const minLettersPerPage = 3;

/** Predefined CMaps, read from disk by pdf.js to decode text in CJK fonts that are not embedded. */
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const cMapUrl = `${join(pdfjsRoot, 'cmaps')}/`;
/** pdf.js's WebAssembly image decoders (JBIG2, JPEG 2000: what scanners write) and ICC profiles, for OCR. */
const wasmUrl = `${join(pdfjsRoot, 'wasm')}/`;
const iccUrl = `${join(pdfjsRoot, 'iccs')}/`;
/** Outlines of the 14 standard fonts, for pages rendered for OCR that also carry some unembedded text. */
const standardFontDataUrl = `${join(pdfjsRoot, 'standard_fonts')}/`;

function countLetters(text: string): number {
  let letters = 0;
  for (const _ of text.matchAll(/\p{L}/gu)) letters++;
  return letters;
}

function corrupt(source: string, cause?: unknown): DocchatError {
  return new DocchatError(
    'pdf_corrupt',
    `${source} could not be read as a PDF: the file is damaged, incomplete or not a PDF. ` +
      'Download or export it again, or check that it opens in a PDF viewer.',
    { cause, details: { source } },
  );
}

function aborted(reason: unknown): DocchatError {
  return new DocchatError('aborted', 'The request was cancelled.', { cause: reason });
}

/** Maps a failure of pdf.js to open a document onto our error codes. */
function openError(
  error: unknown,
  source: string,
  signal: AbortSignal | undefined,
  PasswordResponses: { NEED_PASSWORD: number; INCORRECT_PASSWORD: number },
): DocchatError {
  if (signal?.aborted) return aborted(signal.reason);
  const name = error instanceof Error ? error.name : '';
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (name === 'PasswordException' && code === PasswordResponses.NEED_PASSWORD) {
    return new DocchatError(
      'pdf_encrypted',
      `${source} is password-protected. Provide its password to read it, or upload a copy without a password.`,
      { cause: error, details: { source } },
    );
  }
  if (name === 'PasswordException' && code === PasswordResponses.INCORRECT_PASSWORD) {
    return new DocchatError(
      'pdf_wrong_password',
      `The password given for ${source} is wrong. Check it (passwords are case-sensitive) and try again.`,
      { cause: error, details: { source } },
    );
  }
  return corrupt(source, error);
}

/** The document's title from its XMP or Info metadata, without the junk that PDF producers put there. */
function titleOf(metadata: PdfMetadata | null): string | undefined {
  const info: unknown = metadata?.info;
  const candidates: unknown[] = [
    metadata?.metadata?.get('dc:title'),
    typeof info === 'object' && info !== null && 'Title' in info ? info.Title : undefined,
  ];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const title = candidate
      .replace(/\s+/gu, ' ')
      .trim()
      .replace(/^Microsoft (Word|PowerPoint|Excel) - /u, '')
      .replace(/\.(docx?|pptx?|xlsx?|rtf|odt|tex|dvi|pdf)$/iu, '')
      .trim();
    if (title !== '' && !/^(untitled|title|document|slide \d+)$/iu.test(title)) return title;
  }
  return undefined;
}

/**
 * A page's text items as pdf.js streams them (what `getTextContent` gathers), metered as they arrive: a content
 * stream that decodes to hundreds of megabytes is cancelled at the limit, not read to its end.
 */
async function readTextItems(
  page: PdfPage,
  meter: LimitMeter,
): Promise<{ items: PlacedItem[]; styles: Record<string, PdfTextStyle> }> {
  const reader = page.streamTextContent().getReader();
  const items: PlacedItem[] = [];
  const styles: Record<string, PdfTextStyle> = {};
  // On a limit this throws without cancelling the reader (pdf.js 6 then closes its stream twice and throws
  // where nobody can catch it); destroying the loading task stops the parse instead.
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    Object.assign(styles, step.value.styles);
    let characters = 0;
    for (const item of step.value.items) {
      if (!('str' in item)) continue;
      items.push(item);
      characters += item.str.length;
    }
    meter.addCharacters(characters);
    meter.checkTime();
  }
  return { items, styles };
}

/** Most outline entries read: a generated outline can list every paragraph, and each costs a lookup. */
const maxOutlineEntries = 2000;

/** The document's outline with each entry's page resolved; empty when it has none or it cannot be read. */
async function readOutline(document: PdfDocument): Promise<OutlineEntry[]> {
  let budget = maxOutlineEntries;
  type RawEntry = Awaited<ReturnType<PdfDocument['getOutline']>>[number];
  const pageOf = async (destination: RawEntry['dest']): Promise<number | null> => {
    try {
      const explicit =
        typeof destination === 'string' ? await document.getDestination(destination) : destination;
      const target: unknown = explicit?.[0];
      if (typeof target === 'number') return target + 1;
      if (typeof target === 'object' && target !== null && 'num' in target && 'gen' in target) {
        return (await document.getPageIndex(target as { num: number; gen: number })) + 1;
      }
    } catch {
      // A broken destination costs only its own entry's place.
    }
    return null;
  };
  const resolve = async (entries: readonly RawEntry[]): Promise<OutlineEntry[]> => {
    const resolved: OutlineEntry[] = [];
    for (const entry of entries) {
      if (budget-- <= 0) break;
      resolved.push({
        title: entry.title,
        page: await pageOf(entry.dest),
        items: await resolve(entry.items),
      });
    }
    return resolved;
  };
  return resolve((await document.getOutline().catch(() => null)) ?? []);
}

/** A text item's string and where it is drawn, kept to find it in the page's text later. */
interface PlacedRun {
  str: string;
  box: NormalizedBox;
}

/** Each page's runs found in the document's text: the boxes of {@link LoadedDocument.textBoxes}. */
function locateRuns(text: string, pages: LoadedDocument['pages'], runs: readonly PlacedRun[][]): TextBox[] {
  const boxes: TextBox[] = [];
  for (const span of pages) {
    const pageRuns = runs[span.page - 1] ?? [];
    const ranges = alignRuns(
      text.slice(span.start, span.end),
      pageRuns.map((run) => run.str),
      span.start,
    );
    ranges.forEach((range, index) => {
      const run = pageRuns[index];
      if (range !== null && run !== undefined) boxes.push({ page: span.page, ...run.box, ...range });
    });
  }
  return boxes;
}

async function readPages(
  document: PdfDocument,
  options: LoadOptions,
  meter: LimitMeter,
): Promise<{ lines: TextLine[][]; runs: PlacedRun[][]; failedPages: Set<number> }> {
  const lines: TextLine[][] = [];
  const runs: PlacedRun[][] = [];
  const failedPages = new Set<number>();
  for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
    throwIfAborted(options.signal);
    meter.checkTime();
    try {
      const page = await document.getPage(pageNumber);
      const { items, styles } = await readTextItems(page, meter);
      const viewport = page.getViewport({ scale: 1 });
      const placed: PlacedRun[] = [];
      for (const item of items) {
        if (item.str.trim() === '') continue;
        const box = textItemBox(item, viewport, styles[item.fontName]);
        if (box !== null) placed.push({ str: item.str, box });
      }
      lines.push(layoutTextItems(items));
      runs.push(placed);
      page.cleanup();
    } catch (error) {
      if (options.signal?.aborted) throw aborted(options.signal.reason);
      if (error instanceof DocchatError && error.code === 'document_too_large') throw error;
      // One damaged page should not cost the others: keep its place (and the page numbering) with no text.
      failedPages.add(pageNumber);
      lines.push([]);
      runs.push([]);
    }
    options.onProgress?.(pageNumber, document.numPages);
  }
  return { lines, runs, failedPages };
}

/** Operators that paint an image: a scanned page is one (or a few) of them. */
const imageOperatorNames = [
  'paintImageXObject',
  'paintInlineImageXObject',
  'paintImageMaskXObject',
  'paintImageXObjectRepeat',
  'paintImageMaskXObjectGroup',
  'paintImageMaskXObjectRepeat',
  'paintInlineImageXObjectGroup',
] as const;
/** More filled paths than this may be text drawn as outlines (some PDF printers do that): worth OCR too. */
const outlinedTextPaths = 50;

/** Whether a page draws anything OCR could read: an image, or enough paths to be outlined text. */
async function mayShowText(document: PdfDocument, pageNumber: number): Promise<boolean> {
  try {
    const page = await document.getPage(pageNumber);
    const { fnArray } = await page.getOperatorList();
    page.cleanup();
    const { OPS } = await pdfjs();
    const imageOperators = new Set(imageOperatorNames.map((name) => OPS[name]));
    let paths = 0;
    for (const operator of fnArray) {
      if (imageOperators.has(operator)) return true;
      if (operator === OPS.constructPath && ++paths > outlinedTextPaths) return true;
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * The pages (1-based) whose text layer has too few letters to be text and that draw something OCR could read:
 * candidates for OCR. Blank pages (and damaged ones) are left as they are, so they never start Tesseract.
 */
async function pagesWithoutText(
  document: PdfDocument,
  pageTexts: readonly string[],
  failedPages: ReadonlySet<number>,
): Promise<number[]> {
  const pages: number[] = [];
  for (const [index, text] of pageTexts.entries()) {
    const pageNumber = index + 1;
    if (countLetters(text) >= minLettersPerPage || failedPages.has(pageNumber)) continue;
    if (await mayShowText(document, pageNumber)) pages.push(pageNumber);
  }
  return pages;
}

function noText(source: string, pages: number, ocrRan: boolean): DocchatError {
  const message = ocrRan
    ? `${source} has no text layer, and OCR found no readable text on its pages. If it does show text, ` +
      'scan it again at a higher resolution (300 dpi) or with more contrast, then upload it again.'
    : `${source} has no text layer: it looks like a scan (pages of images). Run it through OCR first, ` +
      // Never the file name in the command: a name like `$(…)` would run when the hint is pasted.
      'for example `ocrmypdf input.pdf output.pdf` (with your file saved as input.pdf), then upload output.pdf.';
  return new DocchatError('pdf_no_text', message, { details: { source, pages, ocr: ocrRan } });
}

/**
 * Reads PDFs with pdf.js (its Node build, parsing on the calling thread; no eval, no font loading, no
 * network). The text keeps page boundaries: pages are joined with `\n\n` and `pages` records each page's span.
 * Pages without a text layer are rendered and read by OCR (`ocrEngine`, or one started for the load and
 * stopped after it) unless `options.ocr` disables it; their spans are flagged `ocr` and their words' boxes
 * kept in `textBoxes`. Throws `pdf_encrypted` / `pdf_wrong_password` for password problems, `pdf_no_text` for
 * scans in which OCR (or, with OCR off, the text layer) finds no text, `ocr_too_many_pages` / `ocr_timeout`
 * past the OCR limits, `pdf_corrupt` for damaged files and `empty_file` for empty ones.
 */
export function createPdfLoader(loaderOptions: { ocrEngine?: OcrEngine } = {}): Loader {
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      const { signal } = options;
      throwIfAborted(signal);
      const source = input.name;
      if (input.data.length === 0) {
        throw new DocchatError('empty_file', `${source} is empty (0 bytes). Upload the PDF again.`, {
          details: { source },
        });
      }
      if (findPdfHeader(input.data) < 0) throw corrupt(source);

      const meter = createLimitMeter(source, options.limits);
      // Before pdf.js, which would decode a whole bomb of a content stream before the characters limit sees it.
      const maxDecodedMb = options.limits?.maxPdfDecodedMb;
      if (maxDecodedMb !== undefined) {
        const maxBytes = maxDecodedMb * 1024 * 1024;
        if ((await deflatedStreamsSize(input.data, maxBytes)) > maxBytes)
          throw documentTooLarge(source, 'pdf_decoded', maxDecodedMb);
      }
      const { getDocument, PasswordResponses, VerbosityLevel } = await pdfjs();
      const task = getDocument({
        // A copy: pdf.js detaches the buffer it is given, and refuses Node Buffers (which `slice` would keep).
        data: new Uint8Array(input.data),
        password: options.password || undefined,
        verbosity: VerbosityLevel.ERRORS,
        // pdf.js 6 no longer has an eval code path (`isEvalSupported` is gone); these keep it from touching fonts,
        // canvases, image decoders or the network.
        disableFontFace: true,
        useSystemFonts: false,
        isOffscreenCanvasSupported: false,
        isImageDecoderSupported: false,
        enableXfa: false,
        disableAutoFetch: true,
        disableStream: true,
        disableRange: true,
        cMapUrl,
        cMapPacked: true,
        wasmUrl,
        iccUrl,
        standardFontDataUrl,
      });
      const stop = (): void => {
        void task.destroy();
      };
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const document = await task.promise.catch((error: unknown) => {
          throw openError(error, source, signal, PasswordResponses);
        });
        throwIfAborted(signal);
        meter.checkPages(document.numPages);
        const metadata = document.getMetadata().catch(() => null);
        const { lines, runs, failedPages } = await readPages(document, options, meter);
        const settings = options.ocr ?? defaultOcrSettings;
        const emptyPages = settings.enabled
          ? await pagesWithoutText(document, renderPages(lines), failedPages)
          : [];
        let read: OcrPage[] = [];
        if (emptyPages.length > 0) {
          const engine = loaderOptions.ocrEngine ?? createOcrEngine();
          try {
            read = await ocrPages(emptyPages, {
              source,
              engine,
              settings,
              totalPages: document.numPages,
              signal,
              onProgress: options.onProgress,
              image: async (pageNumber) => {
                const page = await document.getPage(pageNumber);
                const { png, scale } = await renderPdfPage(page);
                page.cleanup();
                return { image: png, unitsPerPixel: 1 / scale, dotsPerInch: scale * 72 };
              },
            });
          } finally {
            if (!loaderOptions.ocrEngine) await engine.close();
          }
          for (const { page, result } of read) lines[page - 1] = ocrTextLines(result);
        }
        const pageTexts = renderPages(lines);
        const letters = pageTexts.reduce((sum, text) => sum + countLetters(text), 0);
        // In a damaged file, pdf.js gives the pages past a cut no text rather than an error: there, a page without
        // text counts as unreadable too (in an intact file it is just a blank page).
        const readablePages =
          failedPages.size > 0
            ? pageTexts.filter((text) => countLetters(text) > 0).length
            : document.numPages;
        if (readablePages === 0 || letters < minLettersPerPage * readablePages) {
          if (failedPages.size > 0) throw corrupt(source);
          throw noText(source, document.numPages, emptyPages.length > 0);
        }
        const { text, pages } = joinPages(pageTexts);
        const textBoxes = locateRuns(text, pages, runs);
        for (const { page, result, unitsPerPixel } of read) {
          const span = pages[page - 1];
          if (!span || span.end === span.start) continue;
          span.ocr = true;
          // OCR boxes come in PDF units; the layout keeps fractions of the displayed page, as for text items.
          const { width, height } = (await document.getPage(page)).getViewport({ scale: 1 });
          for (const box of ocrTextBoxes(result, text, span, unitsPerPixel)) {
            textBoxes.push({
              ...box,
              x: box.x / width,
              y: box.y / height,
              width: box.width / width,
              height: box.height / height,
            });
          }
        }
        textBoxes.sort((a, b) => a.start - b.start);
        const title = titleOf(await metadata);
        const outline = await readOutline(document);
        const headings =
          outline.length > 0
            ? headingsFromOutline(outline, text, pages)
            : headingsFromLayout(lines, text, pages);
        // A damaged or cut-off file keeps the pages that could be read, and says how many those are.
        return {
          source,
          kind: 'pdf',
          format: 'pdf',
          text,
          pages,
          textBoxes,
          ...(headings.length > 0 ? { headings } : {}),
          ...(title === undefined ? {} : { title }),
          ...(failedPages.size > 0 ? { readablePages } : {}),
        };
      } catch (error) {
        // Past a limit, a page's text stream is still open: pdf.js's destroy then waits for it forever.
        if (error instanceof DocchatError && error.code === 'document_too_large') void task.destroy();
        throw error;
      } finally {
        signal?.removeEventListener('abort', stop);
        if (!task.destroyed) await task.destroy();
      }
    },
  };
}
