import { spawnSync } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DocchatError } from '../core/errors.ts';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import {
  buildCorruptPdf,
  buildDecompressionBombPdf,
  buildEncryptedPdf,
  buildTextPdf,
} from '../test-helpers/pdf-fixtures.ts';
import { createLoaderPool, type LoaderPool } from './create-loader-pool.ts';
import { loadDocument } from './load-document.ts';
import type { LoadInput, LoadOptions } from './loader.ts';

// Every worker the pool starts, so tests can see them end (or kill one as a crash would).
const spawned = vi.hoisted((): Worker[] => []);
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  class TrackedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      spawned.push(this);
    }
  }
  return { ...actual, Worker: TrackedWorker };
});

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A PDF big enough that pdf.js needs many event-loop-free turns to read it. */
let largePdf: Uint8Array;
const pageTexts = ['Alpha page one\nsecond line of one', 'Beta page two', 'Gamma page three\nwith two lines'];
let threePages: Uint8Array;

beforeAll(async () => {
  threePages = await buildTextPdf(pageTexts, { title: 'Three Pages' });
  largePdf = await buildTextPdf(
    Array.from({ length: 40 }, (_, page) =>
      Array.from({ length: 40 }, (_, line) => `Page ${page} line ${line} with words to lay out`).join('\n'),
    ),
  );
});

describe('createLoaderPool', () => {
  const pool = createLoaderPool({ size: 2 });
  afterAll(() => pool.close());

  it('gives the same documents as loadDocument, for text and a multi-page PDF', async () => {
    const text: LoadInput = {
      name: 'notes.md',
      data: utf8('# Notes\r\nsome text'),
      mimeType: 'text/markdown',
    };
    expect(await pool.load(text)).toEqual(await loadDocument(text));
    const pdf = await pool.load({ name: 'three.pdf', data: threePages });
    expect(pdf).toEqual(await loadDocument({ name: 'three.pdf', data: threePages }));
    expect(pdf.text).toBe(pageTexts.join('\n\n'));
    expect(pdf.pages).toHaveLength(3);
    expect(pdf.title).toBe('Three Pages');
  });

  it('gives the same documents as loadDocument for Word documents and web pages, headings included', async () => {
    const { Document, HeadingLevel, Packer, Paragraph } = await import('docx');
    const docx = new Uint8Array(
      await Packer.toBuffer(
        new Document({
          sections: [
            {
              children: [
                new Paragraph({ text: 'Plan', heading: HeadingLevel.HEADING_1 }),
                new Paragraph('Body.'),
              ],
            },
          ],
        }),
      ),
    );
    const html = utf8('<html><body><nav>Home</nav><h1>Plan</h1><p>Body.</p></body></html>');
    for (const input of [
      { name: 'plan.docx', data: docx },
      { name: 'plan.html', data: html },
    ]) {
      const pooled = await pool.load(input);
      expect(pooled).toEqual(await loadDocument(input));
      expect(pooled.text).toBe('Plan\n\nBody.');
      expect(pooled.headings).toEqual([{ level: 1, text: 'Plan', start: 0, end: 4 }]);
    }
  });

  it('leaves the caller’s bytes in place', async () => {
    const data = threePages.slice();
    const buffer = Buffer.from(threePages);
    await pool.load({ name: 'a.pdf', data });
    await pool.load({ name: 'b.pdf', data: buffer });
    expect(data).toEqual(threePages);
    expect(new Uint8Array(buffer)).toEqual(threePages);
  });

  it('reports progress page by page', async () => {
    const onProgress = vi.fn();
    await pool.load({ name: 'p.pdf', data: threePages }, { onProgress });
    expect(onProgress.mock.calls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('rejects with the same DocchatError code, message and details as loadDocument', async () => {
    const encrypted = await buildEncryptedPdf(['Secret plans'], { userPassword: 'hunter2' });
    const cases: [LoadInput, LoadOptions, string][] = [
      [{ name: 'secret.pdf', data: encrypted }, {}, 'pdf_encrypted'],
      [{ name: 'secret.pdf', data: encrypted }, { password: 'Hunter2' }, 'pdf_wrong_password'],
      [{ name: 'broken.pdf', data: buildCorruptPdf() }, {}, 'pdf_corrupt'],
      [{ name: 'empty.txt', data: new Uint8Array() }, {}, 'empty_file'],
      [{ name: 'binary.txt', data: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]) }, {}, 'not_text'],
      [
        { name: 'image.txt', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
        {},
        'corrupt_file',
      ],
      [{ name: 'letter.docx', data: utf8('PK') }, {}, 'corrupt_file'],
      [{ name: 'slides.pptx', data: utf8('PK') }, {}, 'unsupported_file_type'],
    ];
    for (const [input, options, code] of cases) {
      const pooled = await docchatFailure(pool.load(input, options));
      const local = await docchatFailure(loadDocument(input, options));
      expect(pooled.code).toBe(code);
      expect(pooled).toMatchObject({ code: local.code, message: local.message, details: local.details });
    }
    const opened = await pool.load({ name: 'secret.pdf', data: encrypted }, { password: 'hunter2' });
    expect(opened.text).toBe('Secret plans');
  });

  it('rejects with aborted when the signal fires mid-parse, and keeps working afterwards', async () => {
    const controller = new AbortController();
    const pending = pool.load(
      { name: 'large.pdf', data: largePdf },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect((await docchatFailure(pending)).code).toBe('aborted');
    expect((await pool.load({ name: 'after.txt', data: utf8('still here') })).text).toBe('still here');
    expect((await docchatFailure(pool.load(pageInput(), { signal: AbortSignal.abort() }))).code).toBe(
      'aborted',
    );
  });

  it('runs more jobs than workers, and drops a queued job when its signal fires', async () => {
    const single = createLoaderPool({ size: 1 });
    try {
      const controller = new AbortController();
      const first = single.load({ name: 'first.pdf', data: largePdf });
      const queued = single.load({ name: 'queued.pdf', data: threePages }, { signal: controller.signal });
      controller.abort();
      expect((await docchatFailure(queued)).code).toBe('aborted');
      expect((await first).pages).toHaveLength(40);

      const names = Array.from({ length: 5 }, (_, i) => `doc-${i}.pdf`);
      const documents = await Promise.all(names.map((name) => pool.load({ name, data: threePages })));
      expect(documents.map((document) => document.source)).toEqual(names);
      expect(documents.every((document) => document.text === pageTexts.join('\n\n'))).toBe(true);
    } finally {
      await single.close();
    }
  });

  it('fails the job of a worker that dies with internal, and replaces the worker', async () => {
    const single = createLoaderPool({ size: 1 });
    try {
      const before = spawned.length;
      const pending = single.load(
        { name: 'large.pdf', data: largePdf },
        { onProgress: () => void spawned.at(-1)?.terminate() },
      );
      const error = await docchatFailure(pending);
      expect(spawned.length).toBe(before + 1);
      expect(error.code).toBe('internal');
      expect(error.message).toContain('large.pdf');
      expect((await single.load({ name: 'next.txt', data: utf8('next') })).text).toBe('next');
      expect(spawned.length).toBe(before + 2);
    } finally {
      await single.close();
    }
  });

  it('keeps the event loop free while a large PDF is parsed', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const document = await pool.load({ name: 'large.pdf', data: largePdf });
      expect(document.pages).toHaveLength(40);
    } finally {
      clearInterval(timer);
    }
    // loadDocument on this thread lets no timer run at all until it is done.
    expect(ticks).toBeGreaterThan(0);
  });

  it('close() ends the workers and fails queued, running and later loads', async () => {
    const closing = createLoaderPool({ size: 1 });
    const before = spawned.length;
    const running = docchatFailure(closing.load({ name: 'large.pdf', data: largePdf }));
    const queued = docchatFailure(closing.load(pageInput()));
    const workers = spawned.slice(before);
    expect(workers).toHaveLength(1);
    const exited = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
    await closing.close();
    await Promise.all(exited);
    expect((await running).code).toBe('aborted');
    expect((await queued).code).toBe('aborted');
    expect((await docchatFailure(closing.load(pageInput()))).code).toBe('internal');
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => createLoaderPool({ size: 0 })).toThrow(DocchatError);
    expect(() => createLoaderPool({ size: 1.5 })).toThrow(DocchatError);
  });

  it('lets a process exit while its workers sit idle', () => {
    const script = [
      "import { createLoaderPool } from './src/loaders/create-loader-pool.ts';",
      'const pool = createLoaderPool({ size: 1 });',
      "const document = await pool.load({ name: 'a.txt', data: new TextEncoder().encode('idle') });",
      'console.log(document.text);',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--eval', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('idle');
    expect(result.status).toBe(0);
  });
});

describe('createLoaderPool under hostile load', () => {
  // A decompression bomb is stopped by whichever limit it reaches first: the characters limit as it streams, or
  // (with that lifted) the worker's heap limit, which its text items outgrow long before the parse timeout.
  it.each([
    {
      limit: 'characters',
      pool: {},
      maxCharacters: 1_000_000,
      max: 1_000_000,
      setting: 'DOCCHAT_MAX_DOCUMENT_CHARS',
    },
    {
      limit: 'parser_memory',
      pool: { maxHeapMb: 48 },
      maxCharacters: 1_000_000_000,
      max: 48,
      setting: 'DOCCHAT_PARSER_MAX_HEAP_MB',
    },
  ])(
    'refuses a decompression bomb past its $limit limit, naming it, and replaces that worker',
    async (bombCase) => {
      const pool = createLoaderPool({ size: 1, ...bombCase.pool });
      try {
        const bomb = await buildDecompressionBombPdf({ decodedBytes: 300_000_000 });
        expect(bomb.length).toBeLessThan(2_000_000);
        const before = spawned.length;
        const error = await docchatFailure(
          pool.load({ name: 'bomb.pdf', data: bomb }, { limits: { maxCharacters: bombCase.maxCharacters } }),
        );
        expect(error.code).toBe('document_too_large');
        const { limit, max, setting } = bombCase;
        expect(error.details).toMatchObject({ limit, max, setting });
        expect(error.message).toContain(setting);
        // The worker is replaced: the next file is read.
        expect((await pool.load({ name: 'next.txt', data: utf8('next') })).text).toBe('next');
        expect(spawned.length).toBe(before + 2);
      } finally {
        await pool.close();
      }
    },
  );

  it('kills a job past its parse timeout, fails it with document_too_large and keeps serving', async () => {
    const pool = createLoaderPool({ size: 1 });
    try {
      const bomb = await buildDecompressionBombPdf({ decodedBytes: 300_000_000 });
      const before = spawned.length;
      const error = await docchatFailure(
        pool.load({ name: 'slow.pdf', data: bomb }, { limits: { parseTimeoutMs: 300 } }),
      );
      expect(error.code).toBe('document_too_large');
      expect(error.details).toMatchObject({ limit: 'parse_time', setting: 'DOCCHAT_PARSE_TIMEOUT_MS' });
      expect((await pool.load(pageInput())).pages).toHaveLength(3);
      expect(spawned.length).toBe(before + 2);
    } finally {
      await pool.close();
    }
  });

  it('takes turns between sessions: a small file is not queued behind another session’s heavy ones', async () => {
    const pool = createLoaderPool({ size: 1 });
    try {
      const finished: string[] = [];
      const load = (name: string, data: Uint8Array, queueKey: string) =>
        pool.load({ name, data }, { queueKey }).then(() => finished.push(name));
      await Promise.all([
        load('a1.pdf', largePdf, 'a'),
        load('a2.pdf', largePdf, 'a'),
        load('a3.pdf', largePdf, 'a'),
        load('b1.pdf', threePages, 'b'),
      ]);
      expect(finished).toEqual(['a1.pdf', 'b1.pdf', 'a2.pdf', 'a3.pdf']);
    } finally {
      await pool.close();
    }
  });

  it('leaves a worker to other sessions: one session never holds every worker', async () => {
    const pool = createLoaderPool({ size: 2 });
    try {
      const finished: string[] = [];
      const load = (name: string, data: Uint8Array, queueKey: string) =>
        pool.load({ name, data }, { queueKey }).then(() => finished.push(name));
      const heavy = [load('a1.pdf', largePdf, 'a'), load('a2.pdf', largePdf, 'a')];
      await load('b1.txt', utf8('small'), 'b');
      expect(finished[0]).toBe('b1.txt');
      await Promise.all(heavy);
    } finally {
      await pool.close();
    }
  });

  it('refuses loads past the queue bounds with queue_full or quota_exceeded and a retry delay', async () => {
    const pool = createLoaderPool({ size: 1, maxQueued: 2, maxQueuedPerKey: 1 });
    try {
      const running = pool.load({ name: 'running.pdf', data: largePdf }, { queueKey: 'a' });
      const waiting = pool.load(pageInput(), { queueKey: 'a' });
      const perKey = await docchatFailure(pool.load(pageInput(), { queueKey: 'a' }));
      expect(perKey.code).toBe('quota_exceeded');
      expect(perKey.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      const other = pool.load(pageInput(), { queueKey: 'b' });
      const full = await docchatFailure(pool.load(pageInput(), { queueKey: 'c' }));
      expect(full.code).toBe('queue_full');
      expect(full.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      await Promise.all([running, waiting, other]);
    } finally {
      await pool.close();
    }
  });

  it('recycles a worker after recycleAfterJobs files, and after a file that leaves its heap large', async () => {
    const byCount = createLoaderPool({ size: 1, recycleAfterJobs: 2 });
    const byHeap = createLoaderPool({ size: 1, recycleHeapMb: 1 });
    try {
      // The first worker on first use, then a replacement as soon as one is retired, before the next file.
      let before = spawned.length;
      for (let i = 0; i < 4; i++) await byCount.load(pageInput());
      expect(spawned.length - before).toBe(3);
      before = spawned.length;
      for (let i = 0; i < 3; i++) await byHeap.load(pageInput());
      expect(spawned.length - before).toBe(4);
    } finally {
      await Promise.all([byCount.close(), byHeap.close()]);
    }
  });
});

describe('createLoaderPool with maxHeld', () => {
  /** Loads `name` for `queueKey`, held until the returned `letGo` is called; `read` says when it was read. */
  function heldLoad(pool: LoaderPool, name: string, queueKey: string, order: string[]) {
    const held = Promise.withResolvers<void>();
    const read = pool
      .load({ name: `${name}.txt`, data: utf8(`text of ${name}`) }, { queueKey, heldUntil: held.promise })
      .then((document) => {
        order.push(name);
        return document;
      });
    return { read, letGo: () => held.resolve() };
  }

  it('reads no further ahead than maxHeld files its callers still hold, and goes on as they let go', async () => {
    const pool = createLoaderPool({ size: 2, maxHeld: 3 });
    try {
      const order: string[] = [];
      const a = heldLoad(pool, 'a', 'one', order);
      const b = heldLoad(pool, 'b', 'two', order);
      const c = heldLoad(pool, 'c', 'three', order);
      const d = heldLoad(pool, 'd', 'four', order);
      await Promise.all([a.read, b.read, c.read]);
      // d waits while a, b and c are held, however long that takes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([...order].sort()).toEqual(['a', 'b', 'c']);
      b.letGo();
      expect((await d.read).text).toBe('text of d');
      expect(order).toHaveLength(4);
      expect(order[3]).toBe('d');
      for (const load of [a, c, d]) load.letGo();
    } finally {
      await pool.close();
    }
  });

  it('leaves one held file to the other sessions, and lets go of a file whose load failed at once', async () => {
    const pool = createLoaderPool({ size: 2, maxHeld: 2 });
    try {
      const order: string[] = [];
      const first = heldLoad(pool, 'a1', 'a', order);
      const second = heldLoad(pool, 'a2', 'a', order);
      await first.read;
      // Session a holds its share (maxHeld - 1): its second file waits, another session's is read.
      const failed = pool.load(
        { name: 'empty.pdf', data: new Uint8Array() },
        { queueKey: 'b', heldUntil: new Promise(() => {}) },
      );
      expect((await docchatFailure(failed)).code).toBe('empty_file');
      const other = heldLoad(pool, 'b1', 'b', order);
      await other.read;
      expect(order).toEqual(['a1', 'b1']);
      first.letGo();
      await second.read;
      expect(order).toEqual(['a1', 'b1', 'a2']);
      second.letGo();
      other.letGo();
    } finally {
      await pool.close();
    }
  });
});

function pageInput(): LoadInput {
  return { name: 'page.pdf', data: threePages };
}
