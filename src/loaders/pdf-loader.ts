import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, PasswordResponses, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument, TextBox } from '../core/types.ts';
import { findPdfHeader } from './file-types.ts';
import { joinPages } from './join-pages.ts';
import { layoutTextItems, type PdfTextItem, type TextLine } from './layout-text-items.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';
import { headingsFromLayout, headingsFromOutline, type OutlineEntry } from './pdf-headings.ts';
import { renderPages } from './render-pages.ts';
import { alignRuns, type NormalizedBox, textItemBox } from './text-item-boxes.ts';

type PdfDocument = Awaited<ReturnType<typeof getDocument>['promise']>;
type PdfMetadata = Awaited<ReturnType<PdfDocument['getMetadata']>>;

/**
 * Below this many letters per page on average, a PDF is taken for a scan: stamped page numbers or a stray
 * mark do not make a text layer, while one short word such as "Secret!" on a one-page document does.
 */
const minLettersPerPage = 3;

/** Predefined CMaps, read from disk by pdf.js to decode text in CJK fonts that are not embedded. */
const cMapUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'cmaps')}/`;

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
function openError(error: unknown, source: string, signal: AbortSignal | undefined): DocchatError {
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
): Promise<{ lines: TextLine[][]; runs: PlacedRun[][]; failedPages: number }> {
  const lines: TextLine[][] = [];
  const runs: PlacedRun[][] = [];
  let failedPages = 0;
  for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
    throwIfAborted(options.signal);
    try {
      const page = await document.getPage(pageNumber);
      const content = await page.getTextContent();
      const items: PdfTextItem[] = [];
      for (const item of content.items) if ('str' in item) items.push(item);
      const viewport = page.getViewport({ scale: 1 });
      const placed: PlacedRun[] = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const box = textItemBox(item, viewport, content.styles[item.fontName]);
        if (box !== null) placed.push({ str: item.str, box });
      }
      lines.push(layoutTextItems(items));
      runs.push(placed);
      page.cleanup();
    } catch {
      if (options.signal?.aborted) throw aborted(options.signal.reason);
      // One damaged page should not cost the others: keep its place (and the page numbering) with no text.
      failedPages++;
      lines.push([]);
      runs.push([]);
    }
    options.onProgress?.(pageNumber, document.numPages);
  }
  return { lines, runs, failedPages };
}

/**
 * Reads PDFs with pdf.js (its Node build, parsing on the calling thread; no eval, no font loading, no
 * network). The text keeps page boundaries: pages are joined with `\n\n` and `pages` records each page's span.
 * Throws `pdf_encrypted` / `pdf_wrong_password` for password problems, `pdf_no_text` for scans without a text
 * layer, `pdf_corrupt` for damaged files and `empty_file` for empty ones.
 */
export function createPdfLoader(): Loader {
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
      });
      const stop = (): void => {
        void task.destroy();
      };
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const document = await task.promise.catch((error: unknown) => {
          throw openError(error, source, signal);
        });
        throwIfAborted(signal);
        const metadata = document.getMetadata().catch(() => null);
        const { lines, runs, failedPages } = await readPages(document, options);
        const pageTexts = renderPages(lines);
        const letters = pageTexts.reduce((sum, text) => sum + countLetters(text), 0);
        // In a damaged file, pdf.js gives the pages past a cut no text rather than an error: there, a page without
        // text counts as unreadable too (in an intact file it is just a blank page).
        const readablePages =
          failedPages > 0 ? pageTexts.filter((text) => countLetters(text) > 0).length : document.numPages;
        if (readablePages === 0 || letters < minLettersPerPage * readablePages) {
          if (failedPages > 0) throw corrupt(source);
          throw new DocchatError(
            'pdf_no_text',
            // Never the file name in the command: a name like `$(…)` would run when the hint is pasted.
            `${source} has no text layer: it looks like a scan (pages of images). Run it through OCR first, ` +
              'for example `ocrmypdf input.pdf output.pdf` (with your file saved as input.pdf), then upload ' +
              'output.pdf.',
            { details: { source, pages: document.numPages } },
          );
        }
        const { text, pages } = joinPages(pageTexts);
        const title = titleOf(await metadata);
        const textBoxes = locateRuns(text, pages, runs);
        const outline = await readOutline(document);
        const headings =
          outline.length > 0
            ? headingsFromOutline(outline, text, pages)
            : headingsFromLayout(lines, text, pages);
        // A damaged or cut-off file keeps the pages that could be read, and says how many those are.
        return {
          source,
          kind: 'pdf',
          text,
          pages,
          textBoxes,
          ...(headings.length > 0 ? { headings } : {}),
          ...(title === undefined ? {} : { title }),
          ...(failedPages > 0 ? { readablePages } : {}),
        };
      } finally {
        signal?.removeEventListener('abort', stop);
        await task.destroy();
      }
    },
  };
}
