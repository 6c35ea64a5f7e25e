import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32, createDeflate, deflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFRawStream,
  PDFString,
  StandardFonts,
} from 'pdf-lib';

/** Builders of small PDFs in memory, so PDF tests need no files on disk. */

/** One run of text placed on a page; `y` is the baseline, from the bottom of a US Letter page (612 × 792). */
export interface PdfTextRun {
  text: string;
  x: number;
  y: number;
  /** Font size in points; 12 by default. */
  size?: number;
}

/** Document-level options shared by the builders. */
export interface PdfFixtureOptions {
  /** Written to the PDF's Info dictionary. */
  title?: string;
}

const pageSize: [number, number] = [612, 792];

/** Builds a PDF whose pages hold the given runs of Helvetica text (WinAnsi characters only), placed exactly. */
export async function buildPositionedTextPdf(
  pages: PdfTextRun[][],
  options: PdfFixtureOptions = {},
): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const runs of pages) {
    const page = document.addPage(pageSize);
    for (const run of runs) page.drawText(run.text, { x: run.x, y: run.y, size: run.size ?? 12, font });
  }
  if (options.title !== undefined) document.setTitle(options.title);
  return document.save({ useObjectStreams: false });
}

/**
 * Builds a PDF with one page per string; each `\n`-separated line is drawn 14 pt below the previous one,
 * so extracting the text of page `i` gives back `pages[i]`.
 */
export async function buildTextPdf(pages: string[], options: PdfFixtureOptions = {}): Promise<Uint8Array> {
  return buildPositionedTextPdf(
    pages.map((text) => text.split('\n').map((line, index) => ({ text: line, x: 72, y: 720 - index * 14 }))),
    options,
  );
}

/** A grey-gradient PNG of the given size, encoded by hand (8-bit greyscale, one IDAT chunk). */
export function buildPng(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, greyscale, deflate, no filter method, no interlace
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = (x * 255) / Math.max(1, width - 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/**
 * Builds a "scanned" PDF: every page is one full-page image and has no text layer, like a scanner's output.
 * With `pageNumbers`, each page also carries its number as real text, as some scanning software stamps.
 */
export async function buildScannedPdf(
  options: PdfFixtureOptions & { pages?: number; pageNumbers?: boolean } = {},
): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const image = await document.embedPng(buildPng(16, 16));
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (let index = 0; index < (options.pages ?? 1); index++) {
    const page = document.addPage(pageSize);
    page.drawImage(image, { x: 0, y: 0, width: pageSize[0], height: pageSize[1] });
    if (options.pageNumbers) page.drawText(String(index + 1), { x: 300, y: 20, size: 10, font });
  }
  if (options.title !== undefined) document.setTitle(options.title);
  return document.save({ useObjectStreams: false });
}

/** Something that claims to be a PDF (valid header) but has no PDF structure at all. */
export function buildCorruptPdf(): Uint8Array {
  return new TextEncoder().encode(`%PDF-1.7\n%\u00e2\u00e3\n${'this is not a PDF body '.repeat(20)}\n`);
}

/** The first `fraction` of a PDF's bytes, as an interrupted download leaves it. */
export function truncatePdf(pdf: Uint8Array, fraction = 0.5): Uint8Array {
  return pdf.slice(0, Math.floor(pdf.length * fraction));
}

// --- Encryption: the PDF standard security handler (ISO 32000-1, 7.6.3), revisions 3 (RC4) and 4 (AES-128). ---

/** How {@link encryptPdf} encrypts. */
export interface PdfEncryptionOptions {
  userPassword: string;
  /** Defaults to a different, random password, so the document can only be opened with `userPassword`. */
  ownerPassword?: string;
  /** `rc4` is revision 3 (RC4, 128-bit, PDF 1.4); `aes` is revision 4 with AESV2 (AES-128, PDF 1.6). */
  cipher?: 'rc4' | 'aes';
}

const passwordPadding = Buffer.from(
  '28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a',
  'hex',
);

function md5(...parts: Uint8Array[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** RC4, written out because OpenSSL 3 (and so node:crypto) no longer ships it by default. */
function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const state = Array.from({ length: 256 }, (_, index) => index);
  const at = (index: number): number => state[index] ?? 0;
  let j = 0;
  for (let i = 0; i < 256; i++) {
    j = (j + at(i) + (key[i % key.length] ?? 0)) & 0xff;
    [state[i], state[j]] = [at(j), at(i)];
  }
  const out = Buffer.alloc(data.length);
  let i = 0;
  j = 0;
  for (let index = 0; index < data.length; index++) {
    i = (i + 1) & 0xff;
    j = (j + at(i)) & 0xff;
    [state[i], state[j]] = [at(j), at(i)];
    out[index] = (data[index] ?? 0) ^ at((at(i) + at(j)) & 0xff);
  }
  return out;
}

/** Algorithm 2's padding: the password's first 32 bytes, completed with the standard padding string. */
function padPassword(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'latin1'), passwordPadding]).subarray(0, 32);
}

/** Encrypts with RC4 under `key`, then 19 more times under `key` XOR 1..19 (algorithms 3 and 5, revision 3+). */
function rc4Twenty(key: Uint8Array, data: Uint8Array): Buffer {
  let out = rc4(key, data);
  for (let round = 1; round <= 19; round++)
    out = rc4(
      key.map((byte) => byte ^ round),
      out,
    );
  return out;
}

function md5Fifty(seed: Buffer): Buffer {
  let hash = seed;
  for (let round = 0; round < 50; round++) hash = md5(hash.subarray(0, 16));
  return hash;
}

interface SecurityValues {
  key: Buffer;
  owner: Buffer;
  user: Buffer;
  permissions: number;
}

function securityValues(userPassword: string, ownerPassword: string, fileId: Buffer): SecurityValues {
  const permissions = -4; // every permission granted; the two low bits must be 0
  const ownerKey = md5Fifty(md5(padPassword(ownerPassword))).subarray(0, 16);
  const owner = rc4Twenty(ownerKey, padPassword(userPassword));
  const permissionBytes = Buffer.alloc(4);
  permissionBytes.writeInt32LE(permissions, 0);
  const key = md5Fifty(md5(padPassword(userPassword), owner, permissionBytes, fileId)).subarray(0, 16);
  const user = Buffer.concat([rc4Twenty(key, md5(passwordPadding, fileId)), Buffer.alloc(16)]);
  return { key, owner, user, permissions };
}

type ObjectCipher = (data: Uint8Array) => Uint8Array;

function objectCipher(
  key: Buffer,
  objectNumber: number,
  generation: number,
  cipher: 'rc4' | 'aes',
): ObjectCipher {
  const suffix = Buffer.from([
    objectNumber & 0xff,
    (objectNumber >> 8) & 0xff,
    (objectNumber >> 16) & 0xff,
    generation & 0xff,
    (generation >> 8) & 0xff,
  ]);
  if (cipher === 'rc4') {
    const objectKey = md5(key, suffix).subarray(0, Math.min(key.length + 5, 16));
    return (data) => rc4(objectKey, data);
  }
  const objectKey = md5(key, suffix, Buffer.from('sAlT', 'latin1')).subarray(0, 16);
  return (data) => {
    const iv = randomBytes(16);
    const aes = createCipheriv('aes-128-cbc', objectKey, iv);
    return Buffer.concat([iv, aes.update(data), aes.final()]);
  };
}

function encryptValue(value: PDFObject, encrypt: ObjectCipher): PDFObject {
  if (value instanceof PDFString || value instanceof PDFHexString) {
    return PDFHexString.of(Buffer.from(encrypt(value.asBytes())).toString('hex'));
  }
  if (value instanceof PDFDict) {
    for (const [name, entry] of value.entries()) value.set(name, encryptValue(entry, encrypt));
  } else if (value instanceof PDFArray) {
    value.asArray().forEach((entry, index) => {
      value.set(index, encryptValue(entry, encrypt));
    });
  }
  return value;
}

/**
 * Encrypts a PDF with the standard security handler, as Acrobat does when you set an "open" password:
 * every string and stream is encrypted with a key derived from the user password. Readers then refuse to
 * open it without that password (or the owner password).
 */
export async function encryptPdf(pdf: Uint8Array, options: PdfEncryptionOptions): Promise<Uint8Array> {
  const cipher = options.cipher ?? 'rc4';
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const context = document.context;
  const fileId = randomBytes(16);
  const values = securityValues(
    options.userPassword,
    options.ownerPassword ?? randomBytes(12).toString('hex'),
    fileId,
  );

  for (const [ref, object] of context.enumerateIndirectObjects()) {
    const encrypt = objectCipher(values.key, ref.objectNumber, ref.generationNumber, cipher);
    if (object instanceof PDFRawStream) {
      const type = object.dict.get(PDFName.of('Type'));
      if (type === PDFName.of('XRef') || type === PDFName.of('ObjStm')) {
        context.delete(ref);
        continue;
      }
      encryptValue(object.dict, encrypt);
      context.assign(ref, PDFRawStream.of(object.dict, encrypt(object.contents)));
    } else {
      context.assign(ref, encryptValue(object, encrypt));
    }
  }

  const encryptDictionary =
    cipher === 'rc4'
      ? context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: values.permissions })
      : context.obj({
          Filter: 'Standard',
          V: 4,
          R: 4,
          Length: 128,
          P: values.permissions,
          CF: { StdCF: { CFM: 'AESV2', AuthEvent: 'DocOpen', Length: 16 } },
          StmF: 'StdCF',
          StrF: 'StdCF',
        });
  encryptDictionary.set(PDFName.of('O'), PDFHexString.of(values.owner.toString('hex')));
  encryptDictionary.set(PDFName.of('U'), PDFHexString.of(values.user.toString('hex')));
  context.trailerInfo.Encrypt = context.register(encryptDictionary);
  const id = PDFHexString.of(fileId.toString('hex'));
  context.trailerInfo.ID = context.obj([id, id]);
  return document.save({ useObjectStreams: false });
}

/** {@link buildTextPdf}, encrypted with {@link encryptPdf}. */
export async function buildEncryptedPdf(
  pages: string[],
  options: PdfEncryptionOptions & PdfFixtureOptions,
): Promise<Uint8Array> {
  return encryptPdf(await buildTextPdf(pages, options), options);
}

/** One PDF object's body (without `n 0 obj` / `endobj`); a stream is its dictionary entries and data. */
type RawPdfObject = string | { dictionary: string; data: Uint8Array };

/** Writes a PDF by hand from numbered objects (object 1 is the catalog), with a correct cross-reference table. */
function writeRawPdf(objects: RawPdfObject[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  const push = (part: Buffer) => {
    parts.push(part);
    length += part.length;
  };
  objects.forEach((object, index) => {
    offsets.push(length);
    if (typeof object === 'string') push(Buffer.from(`${index + 1} 0 obj\n${object}\nendobj\n`, 'latin1'));
    else {
      push(
        Buffer.from(`${index + 1} 0 obj\n<< ${object.dictionary} /Length ${object.data.length} >>\nstream\n`),
      );
      push(Buffer.from(object.data));
      push(Buffer.from('\nendstream\nendobj\n'));
    }
  });
  const xref = length;
  const rows = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${rows}` +
        `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
    ),
  );
  return new Uint8Array(Buffer.concat(parts));
}

/** Deflates `head`, `repeat` copies of `block`, then `tail`, never holding them all: small, but decodes to a lot. */
async function deflateRepeated(
  head: string,
  block: string,
  repeat: number,
  tail: string,
): Promise<Uint8Array> {
  const input = Buffer.from(block, 'latin1');
  function* copies() {
    yield Buffer.from(head, 'latin1');
    for (let i = 0; i < repeat; i++) yield input;
    yield Buffer.from(tail, 'latin1');
  }
  return new Uint8Array(await buffer(Readable.from(copies()).pipe(createDeflate({ level: 9 }))));
}

/** Options of {@link buildDecompressionBombPdf}. */
export interface DecompressionBombOptions {
  /** Bytes the one page's content stream decodes to (text-showing operators). Default 300 MB. */
  decodedBytes?: number;
  /** Pages, all drawing that one content stream. Default 1. */
  pages?: number;
  /** Bytes of a deflated grey image in the page's resources (images are not decoded to read text). None by default. */
  imageBytes?: number;
}

/**
 * A crafted PDF of the kind that took the server over: pages whose shared, deflated content stream is small on
 * disk but decodes to `decodedBytes` of `Tj` operators, each showing a line of text. With many pages, each page
 * makes pdf.js decode the whole stream again.
 */
export async function buildDecompressionBombPdf(options: DecompressionBombOptions = {}): Promise<Uint8Array> {
  const decodedBytes = options.decodedBytes ?? 300_000_000;
  const pageCount = options.pages ?? 1;
  const line = `(${'All work and no play makes a bomb. '.repeat(5)}) Tj T*\n`;
  // Each block starts again at the top of the page: pdf.js drops text drawn off the page.
  const block = `1 0 0 1 20 780 Tm\n${line.repeat(60)}`;
  const repeat = Math.max(1, Math.ceil(decodedBytes / block.length));
  const content = await deflateRepeated('BT /F1 10 Tf 12 TL\n', block, repeat, 'ET\n');
  const firstPage = 5;
  const kids = Array.from({ length: pageCount }, (_, i) => `${firstPage + i} 0 R`).join(' ');
  const objects: RawPdfObject[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    { dictionary: '/Filter /FlateDecode', data: content },
  ];
  const image = options.imageBytes;
  const imageRef = image === undefined ? '' : ` /XObject << /Im1 ${firstPage + pageCount} 0 R >>`;
  for (let i = 0; i < pageCount; i++) {
    objects.push(
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R ' +
        `/Resources << /Font << /F1 3 0 R >>${imageRef} >> >>`,
    );
  }
  if (image !== undefined) {
    const width = 1000;
    objects.push({
      dictionary: `/Type /XObject /Subtype /Image /Width ${width} /Height ${Math.ceil(image / width)} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
      data: await deflateRepeated('', '\0'.repeat(width), Math.ceil(image / width), ''),
    });
  }
  return writeRawPdf(objects);
}
