import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createRag } from '../pipeline/create-rag.ts';
import type { ChatStore } from '../storage/chat-store.ts';
import { createPostgresChatStore } from '../storage/postgres-chat-store.ts';
import {
  type PostgresCluster,
  postgresAvailability,
  startPostgresCluster,
} from '../test-helpers/postgres-cluster.ts';
import { createApp, type DocchatApp } from './create-app.ts';
import { readEvents, uploadForm } from './test-app.ts';

/** Two docchat instances in one process, sharing one PostgreSQL database as they would behind a balancer. */
describe.skipIf(!postgresAvailability({ needsBinaries: true }).available)(
  'two instances on PostgreSQL',
  () => {
    let cluster: PostgresCluster;
    const instances: { app: DocchatApp; store: ChatStore }[] = [];
    let cookie = '';

    beforeAll(async () => {
      cluster = await startPostgresCluster();
      for (const id of ['A', 'B']) {
        const config = loadConfig({
          DOCCHAT_DATABASE_URL: cluster.url,
          DOCCHAT_INSTANCE_ID: id,
          DOCCHAT_DATABASE_CONNECT_TIMEOUT_MS: '1000',
          DOCCHAT_DATABASE_RETRY_AFTER_SECONDS: '7',
        });
        const store = await createPostgresChatStore({ url: cluster.url, ...config.database });
        instances.push({
          app: createApp({ config, rag: createRag(config), store, sweepIntervalMs: 0 }),
          store,
        });
      }
    }, 60_000);

    afterAll(async () => {
      for (const { app, store } of instances) {
        await app.close();
        await store.close();
      }
      cluster?.destroy();
    });

    /** A request to instance `n` as one browser (its session cookie travels between instances). */
    async function request(n: 0 | 1, path: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      if (cookie !== '') headers.set('cookie', cookie);
      const instance = instances[n];
      if (instance === undefined) throw new Error(`no instance ${n}`);
      const response = await instance.app.app.request(path, { ...init, headers });
      const set = response.headers.getSetCookie()[0];
      if (set !== undefined) cookie = set.split(';')[0] ?? '';
      return response;
    }

    function ask(n: 0 | 1, chatId: string, question: string) {
      return request(n, `/api/chats/${chatId}/messages`, {
        method: 'POST',
        body: JSON.stringify({ question }),
        headers: { 'content-type': 'application/json' },
      });
    }

    it('answers on B from a document uploaded through A the moment the upload returned', async () => {
      const created = await request(0, '/api/chats', { method: 'POST' });
      expect(created.headers.get('x-docchat-instance')).toBe('A');
      const { id: chatId } = (await created.json()) as { id: string };
      const first = await request(0, `/api/chats/${chatId}/documents`, {
        method: 'POST',
        body: uploadForm('tides.md', 'The spring tide comes twice a month with the full and new moon.'),
      });
      expect(first.status).toBe(201);
      // B builds its index now, with the first document only.
      const before = await readEvents(await ask(1, chatId, 'When is the spring tide?'));
      expect(before.at(-1)).toMatchObject({ type: 'done' });

      const second = await request(0, `/api/chats/${chatId}/documents`, {
        method: 'POST',
        body: uploadForm('keeper.md', 'The keeper polishes the brass lantern with lemon paste every Friday.'),
      });
      expect(second.status).toBe(201);
      const response = await ask(1, chatId, 'What does the keeper polish the lantern with?');
      expect(response.headers.get('x-docchat-instance')).toBe('B');
      const events = await readEvents(response);
      const sources = events.find((event) => event.type === 'sources');
      expect(sources?.type === 'sources' ? sources.sources.map((source) => source.source) : []).toContain(
        'keeper.md',
      );
      const done = events.at(-1);
      expect(done?.type === 'done' ? done.answer : '').toMatch(/lemon paste/);

      // Both instances list the four messages in the order they were written, whichever wrote them.
      const listed = (await (await request(0, `/api/chats/${chatId}`)).json()) as {
        messages: { role: string }[];
      };
      expect(listed.messages.map((message) => message.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
    });

    it('answers 503 storage_unavailable with Retry-After while the database is down, and recovers', async () => {
      const chats = await request(1, '/api/chats');
      expect(chats.status).toBe(200);
      cluster.stopServer();
      try {
        const down = await request(1, '/api/chats');
        expect(down.status).toBe(503);
        expect(down.headers.get('retry-after')).toBe('7');
        expect(await down.json()).toMatchObject({ error: 'storage_unavailable' });
        // The instance itself is up, and says what is wrong (503, so a balancer sends users elsewhere).
        const health = await request(1, '/api/health');
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({
          status: 'error',
          storage: { kind: 'postgres', status: 'error', error: 'storage_unavailable' },
        });
      } finally {
        cluster.startServer();
      }
      const back = await request(1, '/api/chats');
      expect(back.status).toBe(200);
      expect(await (await request(1, '/api/health')).json()).toMatchObject({
        storage: { kind: 'postgres', status: 'ok' },
      });
      const { chats: listed } = (await back.json()) as { chats: { documents: unknown[] }[] };
      expect(listed[0]?.documents).toHaveLength(2);
    });
  },
);
