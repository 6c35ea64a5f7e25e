import type { Heading } from '../core/types.ts';

/** The DOM node shape this walk needs (linkedom's nodes, and a browser's, satisfy it). */
export interface HtmlNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<HtmlNode>;
  getAttribute?(name: string): string | null;
}

const textNode = 3;
const elementNode = 1;
const headingLevels: Readonly<Record<string, number>> = { H1: 1, H2: 2, H3: 3, H4: 4, H5: 5, H6: 6 };
/** Elements that start and end a paragraph of the text. */
const blockElements = new Set(
  (
    'ADDRESS ARTICLE ASIDE BLOCKQUOTE BODY CAPTION DD DETAILS DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM ' +
    'H1 H2 H3 H4 H5 H6 HEADER HR HTML LI MAIN NAV OL P PRE SECTION SUMMARY TABLE TBODY TFOOT THEAD TR UL'
  ).split(' '),
);
/** Elements whose content is never text a reader sees. */
const skippedElements = new Set(
  'HEAD SCRIPT STYLE NOSCRIPT TEMPLATE SVG MATH CANVAS IFRAME OBJECT BUTTON SELECT TEXTAREA'.split(' '),
);
/** Blocks that follow each other with a line break rather than a blank line. */
const tightBlocks = new Set(['LI', 'TR', 'DT', 'DD']);

/**
 * Set on headings before an extractor runs (Readability turns every `<h1>` into an `<h2>`), so their level
 * survives: `data-docchat-level="1"`.
 */
export const headingLevelAttribute = 'data-docchat-level';

function headingLevel(node: HtmlNode, name: string): number | null {
  const level = headingLevels[name];
  if (level === undefined) return null;
  const kept = Number(node.getAttribute?.(headingLevelAttribute));
  return Number.isInteger(kept) && kept >= 1 && kept <= 6 ? kept : level;
}

interface Block {
  text: string;
  level: number | null;
  /** The element name of a tight block (`LI`, `TR`...): a run of the same ones is joined by line breaks. */
  tight: string | null;
}

/**
 * Turns an HTML tree into plain text with paragraphs: block elements become paragraphs separated by a blank
 * line (list items, table rows and definition terms by a line break), whitespace collapses as a browser shows
 * it (kept in `<pre>`), `<br>` breaks a line, table cells are separated by ` | `, list items start with `- `
 * or their number, and script, style and form controls are dropped. Headings (`<h1>`…`<h6>`) are returned with
 * their offsets in the text.
 */
export function htmlToText(root: HtmlNode): { text: string; headings: Heading[] } {
  const blocks: Block[] = [];
  let current = '';
  let preDepth = 0;
  /** Inside a table cell, paragraphs (Word puts a `<p>` in every cell) only add a space: a row stays a line. */
  let cellDepth = 0;

  const flush = (level: number | null, tight: string | null) => {
    const text =
      preDepth > 0
        ? current.replace(/^\n+|\s+$/gu, '')
        : current.replace(/[ \t]*\n[ \t]*/gu, '\n').replace(/^[ \n]+|[ \n]+$/gu, '');
    if (text !== '') blocks.push({ text, level, tight });
    current = '';
  };

  const walk = (node: HtmlNode, listCounters: number[]) => {
    if (node.nodeType === textNode) {
      const value = node.nodeValue ?? '';
      current += preDepth > 0 ? value : value.replace(/\s+/gu, ' ');
      if (preDepth === 0) current = current.replace(/ {2,}/gu, ' ').replace(/\n /gu, '\n');
      return;
    }
    if (node.nodeType !== elementNode && node.nodeType !== 9 && node.nodeType !== 11) return;
    const name = node.nodeName.toUpperCase();
    if (skippedElements.has(name)) return;
    if (name === 'BR') {
      current += '\n';
      return;
    }
    const level = headingLevel(node, name);
    const cell = name === 'TD' || name === 'TH';
    const block = blockElements.has(name) && (cellDepth === 0 || name === 'TR' || name === 'TABLE');
    if (block) flush(null, null);
    else if (cellDepth > 0 && blockElements.has(name) && !/\s$/u.test(current)) current += ' ';
    if (name === 'PRE') preDepth++;
    let counters = listCounters;
    if (name === 'OL') counters = [...listCounters, 1];
    else if (name === 'UL') counters = [...listCounters, 0];
    if (name === 'LI') {
      const depth = counters.length;
      const number = counters[depth - 1] ?? 0;
      current += `${'  '.repeat(Math.max(0, depth - 1))}${number > 0 ? `${number}. ` : '- '}`;
      if (number > 0) counters[depth - 1] = number + 1;
    }
    if (cell && current.trim() !== '') current = `${current.trimEnd()} | `;
    if (cell) cellDepth++;
    const children = node.childNodes;
    for (let index = 0; index < children.length; index++) {
      const child = children[index];
      if (child) walk(child, counters);
    }
    if (cell) cellDepth--;
    if (name === 'PRE') {
      flush(null, null);
      preDepth--;
    }
    if (block) flush(level, tightBlocks.has(name) ? name : null);
  };

  walk(root, []);
  flush(null, null);

  const parts: string[] = [];
  const headings: Heading[] = [];
  let length = 0;
  blocks.forEach((block, index) => {
    if (index > 0) {
      const separator = block.tight !== null && blocks[index - 1]?.tight === block.tight ? '\n' : '\n\n';
      parts.push(separator);
      length += separator.length;
    }
    const text = block.level === null ? block.text : block.text.replace(/\s+/gu, ' ');
    if (block.level !== null)
      headings.push({ level: block.level, text, start: length, end: length + text.length });
    parts.push(text);
    length += text.length;
  });
  return { text: parts.join(''), headings };
}
