import type { Heading as MdastHeading, Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import type { Heading } from '../core/types.ts';

function plainText(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return node.children.map((child) => plainText(child)).join('');
  return '';
}

function collect(node: Nodes, found: MdastHeading[]): void {
  if (node.type === 'heading') {
    found.push(node);
    return;
  }
  // Headings inside block quotes and list items are headings too; code blocks have no children.
  if ('children' in node) for (const child of node.children) collect(child, found);
}

/**
 * Finds the headings of a Markdown text as CommonMark parses it (ATX `#` and setext underlines; never inside
 * code blocks). Each spans its content in `text`, without the `#` marks or the underline; `text` is its plain
 * text (emphasis and link marks removed).
 */
export function findMarkdownHeadings(text: string): Heading[] {
  const found: MdastHeading[] = [];
  collect(fromMarkdown(text), found);
  const headings: Heading[] = [];
  for (const heading of found) {
    const start = heading.children[0]?.position?.start.offset;
    const end = heading.children.at(-1)?.position?.end.offset;
    const plain = plainText(heading).replace(/\s+/gu, ' ').trim();
    if (start === undefined || end === undefined || plain === '') continue;
    headings.push({ level: heading.depth, text: plain, start, end });
  }
  return headings;
}
