import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredDocument } from './chat-store.ts';
import { describeChatStore, makeOverlappingDocument, makeStoredDocument } from './describe-chat-store.ts';
import { packContents } from './pack-contents.ts';
import { createSqliteChatStore } from './sqlite-chat-store.ts';
import { verifySqliteFile } from './sqlite-errors.ts';
import { defaultSqliteLimits, schemaVersion1ForTests, sqliteSchemaVersion } from './sqlite-schema.ts';
import { startSqliteWriter } from './start-sqlite-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'docchat-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
let currentPath = '';
describeChatStore(
  'sqlite file',
  async () => {
    counter += 1;
    currentPath = join(root, `store-${counter}`, 'docchat.sqlite');
    return createSqliteChatStore({ path: currentPath });
  },
  async () => createSqliteChatStore({ path: currentPath }),
);

describeChatStore('sqlite in memory', async () => createSqliteChatStore({ path: ':memory:' }));

describe('createSqliteChatStore', () => {
  it('uses WAL, versions its schema and really deletes vector bytes', async () => {
    const path = join(root, 'pragmas', 'db.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    await store.addDocument('c', makeStoredDocument('d', 5), 1);
    await store.deleteChat('s', 'c');
    await store.close();
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: sqliteSchemaVersion });
    expect(db.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
    db.close();
  });

  it('upgrades a version 3 database in place, keeping its documents', async () => {
    const path = join(root, 'v3', 'db.sqlite');
    const first = createSqliteChatStore({ path });
    await first.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await first.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const old = makeStoredDocument('d', 1);
    await first.addDocument('c', old, 1);
    await first.close();
    // Back to version 3's shape: no sections, OCR pages or encoding columns, no file or layout tables, and the
    // text stored as it is.
    const db = new DatabaseSync(path);
    db.exec(
      'DROP TABLE document_files; DROP TABLE document_layouts; ALTER TABLE document_contents DROP COLUMN sections; ' +
        'ALTER TABLE document_contents DROP COLUMN encoding; ALTER TABLE documents DROP COLUMN ocr_pages;',
    );
    db.prepare('UPDATE document_contents SET text = ?').run(
      packContents('d', old.summary.source, old.chunks, old.vectors).text,
    );
    db.exec('PRAGMA user_version = 3');
    db.close();
    const store = createSqliteChatStore({ path });
    expect((await store.loadDocuments('c'))[0]?.chunks).toEqual(old.chunks);
    await store.addDocument(
      'c',
      { ...makeStoredDocument('e', 2), file: { contentType: 'text/plain', bytes: new Uint8Array([65]) } },
      2,
    );
    expect((await store.getDocumentFile('c', 'e'))?.contentType).toBe('text/plain');
    await store.close();
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(root, 'newer.sqlite');
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${sqliteSchemaVersion + 1}`);
    db.close();
    expect(() => createSqliteChatStore({ path })).toThrow(/newer docchat/);
  });
});

/** Every file of the database (main file, WAL), concatenated: what a thief with the disk could read. */
/** Damages the middle of a database file (not its header), where a document's pages are. */
function damageMiddle(path: string): void {
  const size = statSync(path).size;
  const handle = openSync(path, 'r+');
  for (let offset = 8192; offset < size - 4096; offset += 4096) {
    writeSync(handle, Buffer.alloc(64, 0xa5), 0, 64, offset);
  }
  closeSync(handle);
}

function databaseBytes(path: string): Buffer {
  return Buffer.concat(
    [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)),
  );
}

function fileSizes(path: string): number {
  return [path, `${path}-wal`]
    .filter((file) => existsSync(file))
    .reduce((sum, file) => sum + statSync(file).size, 0);
}

/** A document of about `bytes` of distinctive text, with 384-dimensional vectors (the local embedder's) by default. */
function bigDocument(id: string, marker: string, bytes: number, dimensions = 384) {
  const sentence = `${marker} says the quick brown fox jumps over the lazy dog number `;
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${sentence}${i}. `;
  const document = makeOverlappingDocument(id, text, 1000, 200);
  document.vectors = document.chunks.map((_, i) => new Float32Array(dimensions).fill(i / 1000));
  return document;
}

describe('deletion for real', () => {
  it('overwrites deleted text, returns the space and reports storage bytes per text byte', async () => {
    const path = join(root, 'deletion', 'db.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createSession({ id: 'old', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    await store.createChat({ id: 'swept', sessionId: 'old', createdAt: 1 });
    const deleted = bigDocument('d1', 'Zanzibarquux', 1_000_000);
    const swept = bigDocument('d2', 'Quetzalfoo', 1_000_000);
    await store.addDocument('c', deleted, 2);
    await store.addDocument('swept', swept, 2);
    await store.addMessage('c', { id: 'm', role: 'user', content: 'Secretquestion here', createdAt: 3 });
    await store.touchSession('s', 100);
    const payload = (document: StoredDocument) =>
      Buffer.byteLength(
        document.chunks.reduce((text, chunk) => text.slice(0, chunk.start) + chunk.text, ''),
      ) + (document.vectors?.reduce((sum, vector) => sum + vector.byteLength, 0) ?? 0);
    const payloadBytes = payload(deleted) + payload(swept);
    const walAfterIngest = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    // The WAL is bounded by journal_size_limit, not by the data: the figure is the database file's.
    const afterIngest = statSync(path).size;
    expect(walAfterIngest).toBeLessThanOrEqual(defaultSqliteLimits.walSizeLimitBytes + 8 * 4096);
    // The text is stored deflated: what must be gone after deletion is a run of its stored bytes.
    const reader = new DatabaseSync(path, { readOnly: true });
    const storedRun = (id: string) => {
      const row = reader.prepare('SELECT text FROM document_contents WHERE document_id = ?').get(id);
      const blob = row?.text as Uint8Array;
      return Buffer.from(blob.subarray(blob.length / 2, blob.length / 2 + 32));
    };
    const deletedRun = storedRun('d1');
    const sweptRun = storedRun('d2');
    reader.close();
    expect(databaseBytes(path).includes(deletedRun)).toBe(true);
    expect(databaseBytes(path).includes(sweptRun)).toBe(true);

    expect(await store.deleteChat('s', 'c')).toBe(true);
    expect(await store.deleteSessionsIdleSince(50)).toEqual(['swept']);
    const afterDelete = fileSizes(path);
    const bytes = databaseBytes(path);
    expect(bytes.includes(deletedRun)).toBe(false);
    expect(bytes.includes(sweptRun)).toBe(false);
    expect(bytes.includes('Secretquestion')).toBe(false);
    expect(afterDelete).toBeLessThan(afterIngest / 20);
    // The compact layout: overlaps stored once and deflated, vectors in one BLOB per document.
    expect(afterIngest / payloadBytes).toBeLessThanOrEqual(1);
    console.log(
      `[storage] ${(afterIngest / payloadBytes).toFixed(3)} database bytes per byte of text + vectors after ingest (${afterIngest} B for ${payloadBytes} B); ${afterDelete} B after delete and sweep (WAL ${walAfterIngest} B after ingest)`,
    );
    await store.close();
  });
});

describe('compression', () => {
  it('deflates text files, text and layouts, keeps compressed formats as they are, and reads both back', async () => {
    const path = join(root, 'compression', 'db.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const text = 'A line of plain text, repeated. '.repeat(2000);
    const pdfBytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    await store.addDocument(
      'c',
      {
        ...makeStoredDocument('t', 1),
        file: { contentType: 'text/plain; charset=utf-8', bytes: new TextEncoder().encode(text) },
        layout: { text, boxes: [] },
      },
      1,
    );
    await store.addDocument(
      'c',
      { ...makeStoredDocument('p', 2), file: { contentType: 'application/pdf', bytes: pdfBytes } },
      2,
    );
    const reader = new DatabaseSync(path, { readOnly: true });
    const files = reader
      .prepare('SELECT document_id, encoding, length(bytes) AS size FROM document_files')
      .all();
    reader.close();
    expect(files).toEqual([
      { document_id: 't', encoding: 'deflate', size: expect.any(Number) },
      { document_id: 'p', encoding: null, size: pdfBytes.length },
    ]);
    expect(files[0]?.size).toBeLessThan(text.length / 20);
    expect(Buffer.from((await store.getDocumentFile('c', 't'))?.bytes ?? []).toString()).toBe(text);
    expect(await store.getDocumentFile('c', 'p')).toEqual({
      contentType: 'application/pdf',
      bytes: Buffer.from(pdfBytes),
    });
    expect((await store.getDocumentLayout('c', 't'))?.text).toBe(text);
    expect((await store.loadDocuments('c', ['t']))[0]?.chunks).toEqual(makeStoredDocument('t', 1).chunks);
    await store.close();
  });

  it('reports a stored value that does not inflate as storage_corrupt', async () => {
    const path = join(root, 'bad-deflate', 'db.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    await store.addDocument('c', makeStoredDocument('d', 1), 1);
    await store.close();
    const db = new DatabaseSync(path);
    db.prepare('UPDATE document_contents SET text = ?').run(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    db.close();
    const damaged = createSqliteChatStore({ path });
    await expect(damaged.loadDocuments('c')).rejects.toMatchObject({
      code: 'storage_corrupt',
      message: expect.stringContaining('document_contents.text'),
    });
    await expect(damaged.health()).resolves.toMatchObject({ status: 'error', error: 'storage_corrupt' });
    await damaged.close();
  });
});

describe('schema migration', () => {
  it('moves a schema-1 database to the current schema, keeping every chunk and vector', async () => {
    const path = join(root, 'v1', 'db.sqlite');
    mkdirSync(dirname(path), { recursive: true });
    const old = new DatabaseSync(path);
    old.exec('PRAGMA journal_mode = WAL');
    old.exec(schemaVersion1ForTests);
    old.exec('PRAGMA user_version = 1');
    old.exec("INSERT INTO sessions VALUES ('s', 1, 1)");
    old.exec("INSERT INTO chats VALUES ('c', 's', 1, 1)");
    const document = makeOverlappingDocument('d1', 'Schema one text, with överlap. '.repeat(20), 60, 15);
    old
      .prepare('INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        'd1',
        'c',
        'd1.pdf',
        'pdf',
        document.summary.pages,
        document.chunks.length,
        600,
        'test-embedder-2',
        1,
      );
    const insert = old.prepare('INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    document.chunks.forEach((chunk, position) => {
      const vector = document.vectors?.[position] ?? new Float32Array();
      insert.run(
        'd1',
        position,
        chunk.id,
        chunk.source,
        chunk.page,
        chunk.start,
        chunk.end,
        chunk.text,
        new Uint8Array(vector.buffer),
      );
    });
    old.exec(
      "INSERT INTO messages (id, chat_id, role, content, created_at) VALUES ('m', 'c', 'user', 'hi', 1)",
    );
    old.close();

    const store = createSqliteChatStore({ path });
    const [loaded] = await store.loadDocuments('c');
    expect(loaded?.chunks).toEqual(document.chunks);
    expect(loaded?.vectors?.map((vector) => Array.from(vector))).toEqual(
      document.vectors?.map((vector) => Array.from(vector)),
    );
    expect((await store.getChat('s', 'c'))?.uploads).toEqual([]);
    expect(await store.listMessages('c')).toHaveLength(1);
    await store.close();
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: sqliteSchemaVersion });
    expect(db.prepare('PRAGMA auto_vacuum').get()).toEqual({ auto_vacuum: 2 });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'chunks'").get()).toEqual({
      n: 0,
    });
    db.close();
  });
});

describe('storage faults', () => {
  async function filledStore(path: string) {
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    await store.addDocument('c', bigDocument('d1', 'Filler', 400_000), 2);
    await store.close();
  }

  it('finds a truncated file or a garbage header before use', async () => {
    const truncated = join(root, 'faults', 'truncated.sqlite');
    await filledStore(truncated);
    verifySqliteFile(truncated);
    truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
    expect(() => verifySqliteFile(truncated)).toThrow(
      expect.objectContaining({ code: 'storage_corrupt', message: expect.stringContaining(truncated) }),
    );

    const garbage = join(root, 'faults', 'garbage.sqlite');
    await filledStore(garbage);
    const handle = openSync(garbage, 'r+');
    writeSync(handle, Buffer.from('this is not a database header at all!'), 0, 37, 0);
    closeSync(handle);
    expect(() => verifySqliteFile(garbage)).toThrow(expect.objectContaining({ code: 'storage_corrupt' }));
    expect(() => createSqliteChatStore({ path: garbage })).toThrow(
      expect.objectContaining({ code: 'storage_corrupt' }),
    );
    verifySqliteFile(join(root, 'faults', 'missing.sqlite'));
  });

  it('turns damage found at run time into storage_corrupt, then refuses every write', async () => {
    const path = join(root, 'faults', 'damaged.sqlite');
    await filledStore(path);
    damageMiddle(path);
    const store = createSqliteChatStore({ path });
    await expect(store.loadDocuments('c')).rejects.toMatchObject({ code: 'storage_corrupt' });
    expect(await store.health()).toMatchObject({ status: 'error', error: 'storage_corrupt' });
    await expect(store.createSession({ id: 'new', createdAt: 1, lastSeenAt: 1 })).rejects.toMatchObject({
      code: 'storage_corrupt',
    });
    await store.close();
  });

  it('flips health to storage_corrupt when the writer thread is the one that finds the damage', async () => {
    const path = join(root, 'faults', 'damaged-write.sqlite');
    await filledStore(path);
    damageMiddle(path);
    const store = createSqliteChatStore({ path });
    expect(await store.health()).toEqual({ status: 'ok' });
    await expect(store.deleteChat('s', 'c')).rejects.toMatchObject({
      code: 'storage_corrupt',
      message: expect.stringContaining(path),
    });
    expect(await store.health()).toMatchObject({ status: 'error', error: 'storage_corrupt' });
    // Refused here, before it reaches the writer.
    await expect(store.getSession('s')).rejects.toMatchObject({ code: 'storage_corrupt' });
    await store.close();
  });

  it('turns a full disk into storage_full, with the SQLite error as the cause and nothing half-written', async () => {
    const path = join(root, 'faults', 'full.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const full = createSqliteChatStore({ path, limits: { ...defaultSqliteLimits, maxPageCount: 60 } });
    const failure = await full
      .addDocument('c', bigDocument('d1', 'Overflow', 1_000_000), 2)
      .catch((error) => error);
    expect(failure).toMatchObject({ code: 'storage_full' });
    expect(String((failure as Error).cause)).toMatch(/full/i);
    expect(await full.loadDocuments('c')).toEqual([]);
    expect(await full.health()).toEqual({ status: 'ok' });
    await full.close();
    await store.close();
  });
});

describe('the writer thread', () => {
  it('keeps the event loop turning while a document of 3,000 chunks with 1536-d vectors is written', async () => {
    const path = join(root, 'writer', 'event-loop.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const document = bigDocument('d1', 'Eventloop', 2_400_000, 1536);
    const file = new Uint8Array(2_000_000).fill(7);
    document.file = { contentType: 'text/plain', bytes: file };
    expect(document.chunks.length).toBeGreaterThanOrEqual(2900);

    // Written on this thread, the promise would settle before a single setImmediate or timer ran.
    let turns = 0;
    let timers = 0;
    let writing = true;
    const turn = () => {
      if (!writing) return;
      turns++;
      setImmediate(turn);
    };
    const tick = () => {
      if (!writing) return;
      timers++;
      setTimeout(tick, 1);
    };
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const written = store.addDocument('c', document, 2).finally(() => {
      writing = false;
    });
    const callMs = performance.now() - started;
    setImmediate(turn);
    setTimeout(tick, 1);
    await written;
    const writeMs = performance.now() - started;
    delay.disable();

    expect(turns).toBeGreaterThanOrEqual(20);
    expect(timers).toBeGreaterThanOrEqual(2);
    // The caller's vectors and file were copied or packed, never detached by the transfer.
    expect(document.vectors?.[0]?.length).toBe(1536);
    expect(file.byteLength).toBe(2_000_000);
    // Read on this thread's connection right after the write resolved: it is there.
    const [loaded] = await store.loadDocuments('c');
    expect(loaded?.chunks).toHaveLength(document.chunks.length);
    expect(loaded?.vectors?.[2900]?.[0]).toBeCloseTo(2.9);
    expect((await store.getDocumentFile('c', 'd1'))?.bytes.byteLength).toBe(2_000_000);
    console.log(
      `[storage] addDocument of ${document.chunks.length} chunks × 1536-d: ${callMs.toFixed(1)} ms on the caller's thread, ` +
        `${writeMs.toFixed(1)} ms until written; meanwhile ${turns} event-loop turns, ${timers} 1-ms timers, ` +
        `longest event-loop delay ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    await store.close();
  });

  it('finishes the writes already asked for before close', async () => {
    const path = join(root, 'writer', 'close.sqlite');
    const store = createSqliteChatStore({ path });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const added = store.addMessage('c', { id: 'm', role: 'user', content: 'last words', createdAt: 2 });
    await store.close();
    await added;
    await expect(store.touchSession('s', 3)).rejects.toMatchObject({ code: 'internal' });
    const reopened = createSqliteChatStore({ path });
    expect((await reopened.listMessages('c')).map((message) => message.content)).toEqual(['last words']);
    await reopened.close();
  });

  it('fails the writes of a thread that died with storage_unavailable, and starts a new one for the next', async () => {
    const dies =
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(7));";
    const writer = startSqliteWriter({
      path: join(root, 'writer', 'crash.sqlite'),
      limits: defaultSqliteLimits,
      workerUrl: new URL(`data:text/javascript,${encodeURIComponent(dies)}`),
    });
    await expect(writer.run('touchSession', ['s', 1])).rejects.toMatchObject({
      code: 'storage_unavailable',
      details: { exitCode: 7 },
    });
    await expect(writer.run('touchSession', ['s', 2])).rejects.toMatchObject({ code: 'storage_unavailable' });
    // Two threads died: a third chance before health gives up on the writer.
    expect(writer.health()).toEqual({ status: 'ok' });
    await expect(writer.run('touchSession', ['s', 3])).rejects.toMatchObject({ code: 'storage_unavailable' });
    expect(writer.health()).toMatchObject({ status: 'error', error: 'storage_unavailable' });
    await writer.close();
  });

  it('counts only crashes in a row: a write that finishes starts the count again', async () => {
    // Each thread handles one write: the 1st, 2nd and 4th die, the 3rd finishes (a counter file says which).
    const counter = join(root, 'writer', 'writes-seen');
    const flaky = `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
      import { parentPort } from 'node:worker_threads';
      const counter = ${JSON.stringify(counter)};
      parentPort.on('message', (message) => {
        if (message.type === 'close') process.exit(0);
        const seen = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) + 1 : 1;
        writeFileSync(counter, String(seen));
        if (seen !== 3) process.exit(7);
        parentPort.postMessage({ type: 'done', id: message.id, value: undefined });
      });`;
    const writer = startSqliteWriter({
      path: join(root, 'writer', 'flaky.sqlite'),
      limits: defaultSqliteLimits,
      workerUrl: new URL(`data:text/javascript,${encodeURIComponent(flaky)}`),
    });
    const unavailable = { code: 'storage_unavailable' };
    await expect(writer.run('touchSession', ['s', 1])).rejects.toMatchObject(unavailable);
    await expect(writer.run('touchSession', ['s', 2])).rejects.toMatchObject(unavailable);
    await expect(writer.run('touchSession', ['s', 3])).resolves.toBeUndefined();
    await expect(writer.run('touchSession', ['s', 4])).rejects.toMatchObject(unavailable);
    // Three deaths, but not in a row.
    expect(writer.health()).toEqual({ status: 'ok' });
    await writer.close();
  });

  it('rebuilds errors that are not DocchatErrors with their SQLite fields', async () => {
    const store = createSqliteChatStore({ path: join(root, 'writer', 'errors.sqlite') });
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    const failure = await store
      .createSession({ id: 's', createdAt: 1, lastSeenAt: 1 })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({
      code: 'ERR_SQLITE_ERROR',
      errcode: 1555,
      message: expect.stringMatching(/UNIQUE/),
    });
    await store.close();
  });
});
