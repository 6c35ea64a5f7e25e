import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { describeChatStore, makeStoredDocument } from './describe-chat-store.ts';
import { createSqliteChatStore, sqliteSchemaVersion } from './sqlite-chat-store.ts';

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

  it('upgrades a version 1 database in place, keeping its documents', async () => {
    const path = join(root, 'v1', 'db.sqlite');
    const first = createSqliteChatStore({ path });
    await first.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await first.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const old = makeStoredDocument('d', 1);
    await first.addDocument('c', old, 1);
    await first.close();
    // Back to version 1's shape: no section column, no file or layout tables.
    const db = new DatabaseSync(path);
    db.exec(
      'DROP TABLE document_files; DROP TABLE document_layouts; ALTER TABLE chunks DROP COLUMN section;',
    );
    db.exec('PRAGMA user_version = 1');
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
