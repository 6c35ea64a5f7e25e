import { DocchatError, throwIfAborted } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import { decodeText } from './decode-text.ts';
import { type HtmlNode, headingLevelAttribute, htmlToText } from './html-text.ts';
import type { Loader, LoadInput, LoadOptions } from './loader.ts';

/** Page furniture that is never the content (Readability drops it from long pages, not from short ones). */
const furniture =
  'nav, [role="navigation"], form, header, footer, aside, [role="banner"], [role="contentinfo"]';
/** Where a header or footer is the article's own (its title, its byline), not the site's. */
const content = 'article, main, [role="main"]';

function emptyPage(source: string): DocchatError {
  return new DocchatError(
    'empty_file',
    `${source} has no readable text: the page is empty, or its content is built by scripts. Save the page ` +
      'from a browser after it has loaded ("Save as… web page, complete"), or copy its text into a .txt file.',
    { details: { source } },
  );
}

function cleanTitle(title: string | null | undefined): string | undefined {
  const cleaned = (title ?? '').replace(/\s+/gu, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Reads saved web pages: the main content as Mozilla's Readability (Firefox Reader View) finds it, without
 * navigation, headers, footers, sidebars or scripts, turned into paragraphs of text with its headings
 * (`headings`, levels as in the page). The page's title is kept as `title`. Navigation, and headers,
 * footers and sidebars outside the article, are dropped first; when Readability finds no article, the rest
 * of the body is read. The DOM is linkedom's (no browser, no network:
 * nothing the page links to is fetched). Throws `not_text` for binary data and `empty_file` for pages
 * without text.
 */
export function createHtmlLoader(): Loader {
  return {
    async load(input: LoadInput, options: LoadOptions = {}): Promise<LoadedDocument> {
      throwIfAborted(options.signal);
      const source = input.name;
      if (input.data.length === 0) throw emptyPage(source);
      const html = decodeText(input.data, source);
      const [{ parseHTML }, { Readability }] = await Promise.all([
        import('linkedom'),
        import('@mozilla/readability'),
      ]);
      // linkedom needs a whole document; a fragment (an e-mail body, a snippet) gets one.
      const whole = /<html[\s>]/iu.test(html) ? html : `<!doctype html><html><body>${html}</body></html>`;
      const { document } = parseHTML(whole);
      const pageTitle = cleanTitle(document.querySelector('title')?.textContent);
      for (const heading of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
        heading.setAttribute(headingLevelAttribute, heading.tagName.slice(1));
      }
      for (const element of document.querySelectorAll(furniture)) {
        const own = element.tagName !== 'NAV' && element.parentElement?.closest(content);
        if (!own) element.remove();
      }
      // Readability changes the tree it reads: the fallback below reads the first copy.
      const article = new Readability(parseHTML(document.toString()).document as unknown as Document).parse();
      let read = article?.content
        ? htmlToText(parseHTML(article.content).document as unknown as HtmlNode)
        : null;
      if (read === null || read.text.trim() === '') {
        read = htmlToText((document.body ?? document) as unknown as HtmlNode);
      }
      if (read.text.trim() === '') throw emptyPage(source);
      options.onProgress?.(1, 1);
      const title = cleanTitle(article?.title) ?? pageTitle;
      return {
        source,
        kind: 'text',
        format: 'html',
        text: read.text,
        pages: [],
        headings: read.headings,
        ...(title === undefined ? {} : { title }),
      };
    },
  };
}
