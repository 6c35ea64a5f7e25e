import { constants, createInflate } from 'node:zlib';

/**
 * What a PDF's deflated streams decode to, images left out, counted before pdf.js reads the file. pdf.js decodes
 * a page's whole content stream before it hands over the first text item, so a file of 1 MB whose one stream
 * inflates to 300 MB held 600 MB of buffers before the characters limit could see anything. Counting here
 * keeps only one inflate chunk at a time and stops as soon as `max` is passed.
 *
 * The file is scanned for `stream` keywords, not parsed: a stream is counted when the dictionary before it (from
 * its `obj` on) names `/FlateDecode` and is not an image (images are not decoded to read text). Encrypted
 * streams do not inflate and count as nothing; pdf.js's own errors still apply to whatever this lets through.
 */
export async function deflatedStreamsSize(data: Uint8Array, max: number): Promise<number> {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const keyword = /\bstream(?:\r\n|\n|\r)/g;
  let total = 0;
  for (let match = keyword.exec(text); match !== null; match = keyword.exec(text)) {
    const start = match.index + match[0].length;
    const objectStart = text.lastIndexOf(' obj', match.index);
    const dictionary = text.slice(objectStart < 0 ? 0 : objectStart, match.index);
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    keyword.lastIndex = end;
    if (!dictionary.includes('/FlateDecode') || /\/Subtype\s*\/Image\b/.test(dictionary)) continue;
    total += await inflatedLength(data.subarray(start, end), max - total + 1);
    if (total > max) break;
  }
  return total;
}

/** Bytes `deflated` inflates to, counting at most `budget` past which it stops; 0 when it does not inflate. */
function inflatedLength(deflated: Uint8Array, budget: number): Promise<number> {
  return new Promise((resolve) => {
    let length = 0;
    // SYNC_FLUSH: a stream cut short (or followed by end-of-line bytes) counts what it decoded to.
    const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
    inflate.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length >= budget) {
        inflate.destroy();
        resolve(length);
      }
    });
    inflate.on('error', () => resolve(length));
    inflate.on('end', () => resolve(length));
    inflate.on('close', () => resolve(length));
    inflate.end(deflated);
  });
}
