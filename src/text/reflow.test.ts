import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reflow, reflowText } from './reflow.ts';

describe('reflow', () => {
  it('joins the line breaks of a paragraph and keeps paragraph breaks', () => {
    expect(reflowText('for further\nadvancements in\nreasoning.\n\nNext paragraph\nhere.')).toBe(
      'for further advancements in reasoning.\n\nNext paragraph here.',
    );
  });

  it('rejoins a word hyphenated at a line end, and keeps real hyphens', () => {
    expect(reflowText('the infor-\nmation was self-\nConsistent and soft\u00ad\nly said')).toBe(
      'the information was self-Consistent and softly said',
    );
    expect(reflowText('DeepSeek-\nR1 works')).toBe('DeepSeek-R1 works');
  });

  it('keeps lines that stand on their own: list items, headings, table rows, code fences', () => {
    const markdown = '# Title\nSome text\nwrapped.\n- one\n- two\n| a | b |\n| 1 | 2 |\n```\ncode\n```';
    expect(reflowText(markdown)).toBe(
      '# Title\nSome text wrapped.\n- one\n- two\n| a | b |\n| 1 | 2 |\n```\ncode\n```',
    );
  });

  it('keeps a title line above its paragraph', () => {
    expect(
      reflowText(
        'Cleaning the lamp\nThe lamp lens is cleaned every morning with warm water\nand vinegar, then dried.',
      ),
    ).toBe(
      'Cleaning the lamp\nThe lamp lens is cleaned every morning with warm water and vinegar, then dried.',
    );
  });

  it('maps each kept character back to its place in the original', () => {
    const original = 'one two\n  three-\nfour\n\nfive';
    const { text, offsets } = reflow(original);
    expect(text).toBe('one two threefour\n\nfive');
    expect(offsets).toHaveLength(text.length + 1);
    const threeAt = text.indexOf('three');
    expect(original.slice(offsets[threeAt], offsets[threeAt + 'threefour'.length])).toBe('three-\nfour');
  });

  const textArbitrary = fc
    .array(
      fc.oneof(
        fc.stringMatching(/^[a-zA-Z]{1,7}$/),
        fc.constantFrom(' ', '\n', '\n\n', '-\n', '- ', '  ', '\u00ad\n', '\n- ', '\n# ', '. ', '\n  '),
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));

  it('keeps every non-space character in order, except hyphens it rejoined (property)', () => {
    fc.assert(
      fc.property(textArbitrary, (original) => {
        const { text, offsets } = reflow(original);
        expect(offsets).toHaveLength(text.length + 1);
        expect(offsets.at(-1)).toBe(original.length);
        for (let index = 0; index < text.length; index++) {
          const from = offsets[index] ?? -1;
          expect(from).toBeGreaterThan(index === 0 ? -1 : (offsets[index - 1] ?? 0));
          // A character is copied, or a break became a space.
          if (text[index] !== ' ' || original[from] === ' ') expect(original[from]).toBe(text[index]);
          else expect(/\s/u.test(original[from] ?? '')).toBe(true);
        }
        const dropped = [...original.replace(/\s/gu, '')].length - [...text.replace(/\s/gu, '')].length;
        const hyphensAtLineEnds = (original.match(/[-\u00ad][ \t]*\n/gu) ?? []).length;
        expect(dropped).toBeGreaterThanOrEqual(0);
        expect(dropped).toBeLessThanOrEqual(hyphensAtLineEnds);
      }),
    );
  });

  it('keeps the paragraphs, and is done after one pass (property)', () => {
    fc.assert(
      fc.property(textArbitrary, (original) => {
        const { text } = reflow(original);
        expect(text.split(/\n[ \t]*\n/u).length).toBe(original.split(/\n[ \t]*\n/u).length);
        expect(reflowText(text)).toBe(text);
      }),
    );
  });
});
