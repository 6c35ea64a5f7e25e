import { describe, expect, it } from 'vitest';
import { pageCountText } from './page-count.ts';

describe('pageCountText', () => {
  it('says how many pages could be read when some could not', () => {
    expect(pageCountText({ pages: 22, readablePages: 9 })).toBe('9 of 22 pages could be read');
    expect(pageCountText({ pages: 22 })).toBe('22 pages');
    expect(pageCountText({ pages: 1 })).toBe('1 page');
    expect(pageCountText({ pages: null })).toBeNull();
  });
});
