import { DocchatError } from '../core/errors.ts';

/** The kinds of document docchat can read, one loader each. */
export type FileKind = 'text' | 'markdown' | 'pdf' | 'docx' | 'html' | 'image';

const textExtensions = [
  '.txt',
  '.text',
  '.rst',
  '.adoc',
  '.asciidoc',
  '.org',
  '.tex',
  '.csv',
  '.tsv',
  '.log',
  '.json',
  '.jsonl',
  '.ndjson',
  '.yaml',
  '.yml',
  '.toml',
  '.ini',
] as const;

const textMimeTypes = ['application/json', 'application/x-ndjson', 'application/yaml', 'application/x-yaml'];

const docxMimeType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Extensions and MIME types of the kinds other than plain text (which also takes any `text/*`). */
const kinds: readonly { kind: FileKind; extensions: readonly string[]; mimeTypes: readonly string[] }[] = [
  { kind: 'markdown', extensions: ['.md', '.markdown'], mimeTypes: ['text/markdown', 'text/x-markdown'] },
  { kind: 'pdf', extensions: ['.pdf'], mimeTypes: ['application/pdf'] },
  { kind: 'docx', extensions: ['.docx'], mimeTypes: [docxMimeType] },
  {
    kind: 'html',
    extensions: ['.html', '.htm', '.xhtml'],
    mimeTypes: ['text/html', 'application/xhtml+xml'],
  },
  { kind: 'image', extensions: ['.png', '.jpg', '.jpeg'], mimeTypes: ['image/png', 'image/jpeg'] },
];

/**
 * What docchat accepts, for file pickers (`<input accept>` takes both lists joined with commas) and error
 * messages. Any `text/*` MIME type is accepted; extensions are matched case-insensitively.
 */
export const acceptedFileTypes: {
  readonly extensions: readonly string[];
  readonly mimeTypes: readonly string[];
} = {
  extensions: [...textExtensions, ...kinds.flatMap((entry) => entry.extensions)],
  mimeTypes: ['text/*', ...textMimeTypes, ...kinds.flatMap((entry) => entry.mimeTypes)],
};

/** A short human list of the accepted types, for messages. */
export function describeAcceptedFileTypes(): string {
  return (
    `plain text (${textExtensions.join(', ')}, or any text/* type), Markdown (.md, .markdown), PDF (.pdf), ` +
    'Word (.docx), web pages (.html, .htm) and images read by OCR (.png, .jpg, .jpeg)'
  );
}

/** The lower-cased extension of a file name including its dot (`.txt`), or '' when it has none. */
function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** The MIME type without parameters, lower-cased: `Text/Plain; charset=utf-8` → `text/plain`. */
function essenceOf(mimeType: string | undefined): string {
  return (mimeType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Decides from a file's name (and declared MIME type, if any) which loader reads it.
 * The extension wins over the MIME type because uploaders often send `application/octet-stream`.
 * Throws `unsupported_file_type` naming what is accepted. Content sniffing is {@link sniffFileKind}'s job.
 */
export function detectFileKind(name: string, mimeType?: string): FileKind {
  const extension = extensionOf(name);
  if ((textExtensions as readonly string[]).includes(extension)) return 'text';
  const byExtension = kinds.find((entry) => entry.extensions.includes(extension));
  if (byExtension) return byExtension.kind;
  const essence = essenceOf(mimeType);
  const byMimeType = kinds.find((entry) => entry.mimeTypes.includes(essence));
  if (byMimeType) return byMimeType.kind;
  if (essence.startsWith('text/') || textMimeTypes.includes(essence)) return 'text';
  const what = extension ? `"${extension}" files` : 'files without an extension';
  throw new DocchatError(
    'unsupported_file_type',
    `Cannot read ${name}: ${what} are not supported. docchat accepts ${describeAcceptedFileTypes()}. ` +
      'Convert the document to one of these, or rename it if it is plain text.',
    { details: { source: name, extension, mimeType: essence || null } },
  );
}

const pdfSignature = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
/** PDF readers accept the header anywhere in the first 1024 bytes (some files carry a junk prefix). */
const pdfHeaderWindow = 1024;

/** Where the `%PDF-` header starts within the first 1024 bytes, or -1 when there is none. */
export function findPdfHeader(data: Uint8Array): number {
  const last = Math.min(data.length, pdfHeaderWindow) - pdfSignature.length;
  for (let offset = 0; offset <= last; offset++) {
    if (pdfSignature.every((byte, index) => data[offset + index] === byte)) return offset;
  }
  return -1;
}

/**
 * True when the bytes start with `%PDF-`: such a file is a PDF whatever its name says. (A header further in
 * is only trusted for files that claim to be PDFs, so a text note quoting `%PDF-` stays text.)
 */
export function looksLikePdf(data: Uint8Array): boolean {
  return pdfSignature.every((byte, index) => data[index] === byte);
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];
const zipSignature = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4", a ZIP's first local file header
/** Every Word document has this part; ZIP stores entry names uncompressed, in local and central headers. */
const docxMainPart = new TextEncoder().encode('word/document.xml');

function startsWith(data: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, index) => data[index] === byte);
}

function contains(data: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes(Buffer.from(needle));
}

/**
 * The kind that a file's first bytes prove, whatever its name says: `%PDF-` is a PDF, the PNG and JPEG
 * signatures are images, and a ZIP holding `word/document.xml` is a Word document. `null` when the bytes prove
 * nothing (text, HTML, or a damaged file), so the name and MIME type decide.
 */
export function sniffFileKind(data: Uint8Array): FileKind | null {
  if (looksLikePdf(data)) return 'pdf';
  if (startsWith(data, pngSignature) || startsWith(data, jpegSignature)) return 'image';
  if (startsWith(data, zipSignature) && contains(data, docxMainPart)) return 'docx';
  return null;
}
