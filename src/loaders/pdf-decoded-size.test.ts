import { describe, expect, it } from 'vitest';
import { buildDecompressionBombPdf, buildTextPdf } from '../test-helpers/pdf-fixtures.ts';
import { deflatedStreamsSize } from './pdf-decoded-size.ts';

const mb = 1024 * 1024;

describe('deflatedStreamsSize', () => {
  it('counts what a content stream decodes to, and stops just past the maximum', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 8 * mb });
    const all = await deflatedStreamsSize(pdf, Number.MAX_SAFE_INTEGER);
    expect(all).toBeGreaterThanOrEqual(8 * mb);
    expect(all).toBeLessThan(8 * mb + 64 * 1024);
    const stopped = await deflatedStreamsSize(pdf, 2 * mb);
    expect(stopped).toBeGreaterThan(2 * mb);
    // One inflate chunk past the maximum at most.
    expect(stopped).toBeLessThanOrEqual(2 * mb + 64 * 1024 + 1);
  });

  it('leaves images out', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: mb, imageBytes: 8 * mb });
    const counted = await deflatedStreamsSize(pdf, Number.MAX_SAFE_INTEGER);
    expect(counted).toBeGreaterThanOrEqual(mb);
    expect(counted).toBeLessThan(2 * mb);
  });

  it('counts a stream cut short as far as it decodes, and nothing for streams that are not deflated', async () => {
    const pdf = await buildDecompressionBombPdf({ decodedBytes: 4 * mb });
    const text = Buffer.from(pdf).toString('latin1');
    const start = text.indexOf('stream\n') + 'stream\n'.length;
    const end = text.indexOf('endstream');
    expect(end - start).toBeGreaterThan(200);
    // The stream cut after its first 100 bytes: inflating stops there.
    const cut = Buffer.from(text.slice(0, start + 100) + text.slice(end - 1), 'latin1');
    const counted = await deflatedStreamsSize(cut, Number.MAX_SAFE_INTEGER);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(await deflatedStreamsSize(pdf, Number.MAX_SAFE_INTEGER));
    const plain = Buffer.from(text.replace('/Filter /FlateDecode', '/Filter /LZWDecode '), 'latin1');
    expect(await deflatedStreamsSize(plain, Number.MAX_SAFE_INTEGER)).toBe(0);
  });

  it('finds an ordinary PDF far below the default of 100 MB', async () => {
    const pdf = await buildTextPdf(['A page of ordinary text.', 'Another page.']);
    expect(await deflatedStreamsSize(pdf, 100 * mb)).toBeLessThan(mb);
  });
});
