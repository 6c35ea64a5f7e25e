import { describe, expect, it } from 'vitest';
import { isWhitespace } from './is-whitespace.ts';

describe('isWhitespace', () => {
  it('agrees with the \\s of JavaScript regular expressions on every UTF-16 code unit', () => {
    const disagreements: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (isWhitespace(code) !== /\s/.test(String.fromCharCode(code))) disagreements.push(code);
    }
    expect(disagreements).toEqual([]);
    expect(isWhitespace(Number.NaN)).toBe(false);
  });
});
