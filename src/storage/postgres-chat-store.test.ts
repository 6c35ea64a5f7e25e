import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgresCluster } from '../test-helpers/postgres-cluster.ts';
import { createTestDatabase, stopTestCluster } from '../test-helpers/test-database.ts';
import type { ChatStore } from './chat-store.ts';
import { describeChatStore, makeStoredDocument } from './describe-chat-store.ts';
import { createPostgresChatStore, type PostgresChatStoreOptions } from './postgres-chat-store.ts';
import { postgresMigrations, postgresSchemaVersion } from './postgres-migrations.ts';

const { available } = postgresAvailability();
afterAll(stopTestCluster);

const settings = { poolSize: 4, connectTimeoutMs: 2_000, statementTimeoutMs: 10_000, retryAfterSeconds: 3 };
const open = (url: string, extra: Partial<PostgresChatStoreOptions> = {}) =>
  createPostgresChatStore({ url, ...settings, ...extra });

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(sql);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

if (available) {
  let currentUrl = '';
  describeChatStore(
    'postgres',
    async () => {
      currentUrl = await createTestDatabase();
      return open(currentUrl);
    },
    async () => open(currentUrl),
  );
}

describe.skipIf(!available)('createPostgresChatStore', () => {
  it('migrates once when several instances start at the same moment', async () => {
    const url = await createTestDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => open(url)));
    await Promise.all(stores.map((store) => store.close()));
    expect(await count(url, 'SELECT count(*) AS n FROM docchat_schema_migrations')).toBe(
      postgresMigrations.length,
    );
    expect(await count(url, 'SELECT max(version) AS n FROM docchat_schema_migrations')).toBe(
      postgresSchemaVersion,
    );
  });

  it('refuses a database migrated by a newer docchat', async () => {
    const url = await createTestDatabase();
    await (await open(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("INSERT INTO docchat_schema_migrations (version, name) VALUES ($1, 'future')", [
      postgresSchemaVersion + 1,
    ]);
    await client.end();
    await expect(open(url)).rejects.toThrow(/newer docchat/);
  });

  it('numbers the messages of two instances writing one chat at once, losing none', async () => {
    const url = await createTestDatabase();
    const [a, b] = [await open(url), await open(url)] as [ChatStore, ChatStore];
    await a.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await a.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    const write = async (store: ChatStore, name: string) => {
      for (let i = 0; i < 15; i++) {
        await store.addMessage('c', { id: `${name}${i}`, role: 'user', content: `${i}`, createdAt: 5 });
      }
    };
    await Promise.all([write(a, 'a'), write(b, 'b')]);
    const ids = (await b.listMessages('c')).map((message) => message.id);
    expect(ids).toHaveLength(30);
    // Each instance's own messages keep their order within the one sequence.
    for (const name of ['a', 'b']) {
      expect(ids.filter((id) => id.startsWith(name))).toEqual(
        Array.from({ length: 15 }, (_, i) => `${name}${i}`),
      );
    }
    expect(await count(url, 'SELECT count(DISTINCT seq) AS n FROM messages')).toBe(30);
    await Promise.all([a.close(), b.close()]);
  });

  it('sweeps each expired chat once across instances', async () => {
    const url = await createTestDatabase();
    const stores = await Promise.all([open(url), open(url), open(url)]);
    const first = stores[0] as ChatStore;
    for (let i = 0; i < 20; i++) {
      await first.createSession({ id: `s${i}`, createdAt: 1, lastSeenAt: 1 });
      await first.createChat({ id: `c${i}`, sessionId: `s${i}`, createdAt: 1 });
    }
    const swept = (await Promise.all(stores.map((store) => store.deleteSessionsIdleSince(100)))).flat();
    expect(swept.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
    await Promise.all(stores.map((store) => store.close()));
  });

  it("recovers only what dead instances cut off, never a live instance's answer or upload", async () => {
    const url = await createTestDatabase();
    const [a, b] = [await open(url), await open(url)] as [ChatStore, ChatStore];
    await a.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await a.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    await a.addMessage('c', { id: 'q', role: 'user', content: 'Q?', createdAt: 2 });
    await a.addMessage('c', {
      id: 'live',
      role: 'assistant',
      content: 'Hal',
      createdAt: 3,
      status: 'streaming',
    });
    await a.beginUpload('c', { id: 'u', source: 'a.pdf', createdAt: 3 });
    // B starts while A is still answering and ingesting: A's rows are A's.
    expect(await b.recoverInterrupted()).toEqual({ messages: 0, uploads: 0 });
    expect(await b.deleteSessionsIdleSince(0)).toEqual([]);
    expect((await b.listMessages('c'))[1]?.status).toBe('streaming');
    // A dies (its lock goes with its connection): the next read on B marks what A left, without waiting for a
    // sweep or a start.
    await a.close();
    expect((await b.listMessages('c', { last: 1 }))[0]).toMatchObject({
      status: 'interrupted',
      content: 'Hal',
    });
    expect((await b.getChat('s', 'c'))?.uploads).toEqual([
      { id: 'u', source: 'a.pdf', createdAt: 3, status: 'failed' },
    ]);
    // Nothing is left for a start or a sweep to mark.
    expect(await b.recoverInterrupted()).toEqual({ messages: 0, uploads: 0 });
    await b.close();
  });

  it('really deletes vector bytes with their chat', async () => {
    const url = await createTestDatabase();
    const store = await open(url);
    await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
    await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
    await store.addDocument('c', makeStoredDocument('d', 5), 1);
    expect(await count(url, 'SELECT count(*) AS n FROM chunks WHERE vector IS NOT NULL')).toBe(5);
    await store.deleteChat('s', 'c');
    await store.close();
    expect(await count(url, 'SELECT count(*) AS n FROM chunks')).toBe(0);
    expect(await count(url, 'SELECT count(*) AS n FROM documents')).toBe(0);
  });

  it('fails with storage_unavailable when nothing listens at the URL', async () => {
    await expect(open('postgres://postgres@127.0.0.1:1/postgres')).rejects.toMatchObject({
      code: 'storage_unavailable',
      details: { retryAfterSeconds: 3 },
    });
  });
});

describe.skipIf(!postgresAvailability({ needsBinaries: true }).available)(
  'createPostgresChatStore across a database restart',
  () => {
    it('fails with storage_unavailable while the database is down and recovers by itself', async () => {
      const cluster = await startPostgresCluster();
      const idleErrors: Error[] = [];
      const store = await open(cluster.url, { onIdleError: (error) => idleErrors.push(error) });
      try {
        await store.createSession({ id: 's', createdAt: 1, lastSeenAt: 1 });
        await store.createChat({ id: 'c', sessionId: 's', createdAt: 1 });
        await store.addMessage('c', { id: 'before', role: 'user', content: 'kept', createdAt: 2 });
        await store.addMessage('c', {
          id: 'answer',
          role: 'assistant',
          content: 'Do',
          createdAt: 3,
          status: 'streaming',
        });
        cluster.stopServer();
        await expect(store.listMessages('c')).rejects.toMatchObject({ code: 'storage_unavailable' });
        await expect(
          store.addMessage('c', { id: 'during', role: 'user', content: 'x', createdAt: 3 }),
        ).rejects.toMatchObject({ code: 'storage_unavailable' });
        // An answer that ends while the database is down is written once it is back.
        await expect(
          store.updateMessage('c', {
            id: 'answer',
            role: 'assistant',
            content: 'Done.',
            createdAt: 3,
            status: 'complete',
          }),
        ).rejects.toMatchObject({ code: 'storage_unavailable' });
        cluster.startServer();
        const written = Date.now() + 20_000;
        while (
          (await store.listMessages('c')).find((message) => message.id === 'answer')?.status !== 'complete'
        ) {
          if (Date.now() > written) throw new Error('the final answer was not written after the outage');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await store.addMessage('c', { id: 'after', role: 'user', content: 'new', createdAt: 4 });
        expect((await store.listMessages('c')).map((message) => message.id)).toEqual([
          'before',
          'answer',
          'after',
        ]);
        // The store takes its liveness lock again, so another instance starting now leaves its answer alone.
        await store.addMessage('c', {
          id: 'live',
          role: 'assistant',
          content: '',
          createdAt: 5,
          status: 'streaming',
        });
        const deadline = Date.now() + 20_000;
        while (
          (await count(cluster.url, "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'")) < 1
        ) {
          if (Date.now() > deadline) throw new Error('the store did not take its lock again');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const other = await open(cluster.url);
        expect(await other.recoverInterrupted()).toEqual({ messages: 0, uploads: 0 });
        await other.close();
      } finally {
        await store.close();
        cluster.destroy();
      }
    });
  },
);
