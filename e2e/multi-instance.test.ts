import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvents, uploadForm } from '../src/server/test-app.ts';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../src/test-helpers/fake-openai-server.ts';
import {
  type PostgresCluster,
  postgresAvailability,
  startPostgresCluster,
} from '../src/test-helpers/postgres-cluster.ts';
import { type AppServer, ensureWebBuilt, startAppServer } from './support/app-server.ts';
import { browserAvailability, launchBrowser } from './support/browser.ts';
import { type NginxBalancer, nginxAvailability, startNginxBalancer } from './support/nginx-balancer.ts';

const available =
  browserAvailability().available &&
  postgresAvailability({ needsBinaries: true }).available &&
  nginxAvailability().available;

/** How many sessions the load step runs at once through the balancer. */
const concurrentSessions = 200;

const lampNotes = [
  'The lamp lens is cleaned every morning with warm water and vinegar.',
  'A soft linen cloth is used so that the glass is never scratched.',
].join('\n\n');
const stormNotes = [
  'During a storm the keeper checks the fog horn every hour through the night.',
  'Ships are warned by three long blasts of the horn when visibility falls.',
].join('\n\n');

/** Which instance served each API response a page saw, in the order the requests were sent. */
interface Served {
  method: string;
  path: string;
  instance: string;
}

describe.skipIf(!available)('three instances behind nginx on one PostgreSQL', () => {
  let cluster: PostgresCluster;
  let fake: FakeOpenAIServer;
  let instances: AppServer[] = [];
  let balancer: NginxBalancer;
  let browser: Browser;
  const reply = `${Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ')} [1].`;

  beforeAll(async () => {
    await ensureWebBuilt();
    cluster = await startPostgresCluster();
    // Slow enough to stop, kill or restart the database while an answer streams.
    fake = await startFakeOpenAIServer({ reply, tokenDelayMs: 60 });
    instances = await Promise.all(
      ['one', 'two', 'three'].map((id) =>
        startAppServer({
          DOCCHAT_DATABASE_URL: cluster.url,
          DOCCHAT_INSTANCE_ID: id,
          // 200 sessions on a loaded 2-core machine may queue for a connection for a while; that is no error.
          DOCCHAT_DATABASE_CONNECT_TIMEOUT_MS: '20000',
          OPENAI_BASE_URL: fake.url,
          OPENAI_API_KEY: 'sk-e2e-fake',
          DOCCHAT_CHAT: 'openai',
          DOCCHAT_CHAT_MODEL: 'gpt-4o-mini',
          DOCCHAT_EMBEDDER: 'local',
          // Every session comes from 127.0.0.1 through nginx: the per-address quota is not what this test is about.
          DOCCHAT_ADDRESS_SESSIONS_PER_MINUTE: '1000000',
        }),
      ),
    );
    balancer = await startNginxBalancer(instances.map((instance) => instance.url));
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await fake?.close();
    cluster?.destroy();
  });

  async function openSession(): Promise<{ context: BrowserContext; page: Page; served: Served[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Generous: three servers, PostgreSQL, nginx and Chromium share the machine with other test files.
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const served: Served[] = [];
    const order = new Map<unknown, number>();
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) order.set(request, order.size);
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      const instance = response.headers()['x-docchat-instance'];
      const index = order.get(response.request());
      if (index === undefined || instance === undefined) return;
      served[index] = { method: response.request().method(), path: url.pathname, instance };
    });
    return { context, page, served };
  }

  /** The instance that served the last response to `method path` the page saw. */
  function servedBy(served: readonly Served[], method: string, path: RegExp): string {
    const match = served.filter((entry) => entry?.method === method && path.test(entry.path)).at(-1);
    if (match === undefined) throw new Error(`no ${method} ${path} among ${JSON.stringify(served)}`);
    return match.instance;
  }

  /**
   * Moves the balancer's API round-robin so that the next request does not land on `previous`: asks
   * /api/health until `previous` answers it (round-robin then goes on to another instance).
   */
  async function stepAwayFrom(page: Page, previous: string): Promise<void> {
    for (let attempt = 0; attempt < instances.length; attempt++) {
      const instance = await page.evaluate(async () => {
        const response = await fetch('/api/health');
        return response.headers.get('x-docchat-instance');
      });
      if (instance === previous) return;
    }
  }

  async function upload(page: Page, name: string, text: string): Promise<void> {
    await page.getByLabel('Choose a Text or PDF file').setInputFiles({
      name,
      mimeType: 'text/plain',
      buffer: Buffer.from(text),
    });
    await page.getByText(`Processing ${name} done. You can now ask questions!`).waitFor();
  }

  async function ask(page: Page, question: string): Promise<void> {
    const box = page.getByLabel('Your question');
    await box.fill(question);
    await box.press('Enter');
  }

  it('serves two browser sessions through the balancer, each step on another instance, across a crash and a database restart', async () => {
    const first = await openSession();
    const second = await openSession();

    // Session 1: upload, then ask on another instance: it answers from the document just uploaded.
    await first.page.goto(balancer.url);
    await upload(first.page, 'lamp.txt', lampNotes);
    await first.page.waitForURL(/\/chats\/[^/]+$/);
    const chatUrl = first.page.url();
    const chatId = chatUrl.split('/').at(-1) ?? '';
    const uploadedOn = servedBy(first.served, 'POST', /\/documents$/);
    await stepAwayFrom(first.page, uploadedOn);
    await ask(first.page, 'How is the lamp lens cleaned?');
    const answer = first.page.locator('.bubble-answer').last();
    await answer.getByText('word2').waitFor();
    const askedOn = servedBy(first.served, 'POST', /\/messages$/);
    expect(askedOn).not.toBe(uploadedOn);
    await first.page.locator('aside.sources').getByText('vinegar').first().waitFor();

    // Stop: the browser aborts its stream; the balancer closes the instance's connection, which stops the model.
    await first.page.getByRole('button', { name: 'Stop the answer' }).click();
    await answer.getByText('Stopped.').waitFor();
    const modelCall = fake.requests
      .filter((request) => request.path.startsWith('/v1/chat/completions'))
      .at(-1);
    expect(modelCall).toBeDefined();
    if (modelCall) await expect(fake.settled(modelCall)).resolves.toBe('client-closed');

    // Refresh on yet another instance: the stopped answer was stored by the one that streamed it. A reload makes
    // several API requests; each try shifts the round-robin by one until the chat itself comes from elsewhere.
    let refreshedOn = askedOn;
    for (let attempt = 0; attempt < instances.length && refreshedOn === askedOn; attempt++) {
      await stepAwayFrom(first.page, askedOn);
      for (let shift = 0; shift < attempt; shift++) await first.page.evaluate(() => fetch('/api/health'));
      await first.page.reload();
      const restored = first.page.locator('.bubble-answer').last();
      await restored.getByText('Stopped.').waitFor();
      await expect(restored.textContent()).resolves.toContain('word2');
      refreshedOn = servedBy(first.served, 'GET', new RegExp(`/api/chats/${chatId}$`));
    }
    expect(refreshedOn).not.toBe(askedOn);

    // Session 2: its own document; session 1's chat is not visible to it.
    await second.page.goto(balancer.url);
    await upload(second.page, 'storm.txt', stormNotes);
    await second.page.waitForURL(/\/chats\/[^/]+$/);
    const secondChatId = second.page.url().split('/').at(-1) ?? '';
    const stranger = await second.context.request.get(`${balancer.url}/api/chats/${chatId}`);
    expect(stranger.status()).toBe(404);

    // PostgreSQL restarts while session 2's answer streams: the answer is still stored, and complete.
    await ask(second.page, 'How are ships warned in a storm?');
    const stormAnswer = second.page.locator('.bubble-answer').last();
    await stormAnswer.getByText('word2').waitFor();
    cluster.restart();
    await stormAnswer.locator('.answer-body[aria-busy="false"]').waitFor({ timeout: 60_000 });
    await expect(stormAnswer.textContent()).resolves.toContain('word59');
    const stormSources = await second.page.locator('aside.sources li.source').allTextContents();
    expect(stormSources.join(' ')).toContain('horn');
    expect(stormSources.join(' ')).not.toContain('vinegar');

    // One instance is killed mid-answer: the question was acknowledged and is kept; the next one is answered.
    await ask(second.page, 'What does the keeper check every hour?');
    const cut = second.page.locator('.bubble-answer').last();
    await cut.getByText('word2').waitFor();
    const streamingOn = servedBy(second.served, 'POST', /\/messages$/);
    const victim = instances.find((_, index) => ['one', 'two', 'three'][index] === streamingOn);
    expect(victim).toBeDefined();
    await victim?.kill();
    await cut.locator('.answer-body[aria-busy="false"]').waitFor({ timeout: 60_000 });
    await ask(second.page, 'How many blasts of the horn warn ships?');
    const after = second.page.locator('.bubble-answer').last();
    await after.getByText('word59').waitFor({ timeout: 60_000 });
    expect(servedBy(second.served, 'POST', /\/messages$/)).not.toBe(streamingOn);
    await second.page.reload();
    await second.page
      .locator('.bubble-question', { hasText: 'What does the keeper check every hour?' })
      .waitFor();
    await second.page
      .locator('.bubble-question', { hasText: 'How many blasts of the horn warn ships?' })
      .waitFor();
    // The answer the dead instance was streaming is shown as interrupted at once, with the text it had saved.
    await second.page.getByText('Interrupted: the server stopped before this answer was finished.').waitFor();

    // Session 1 still has exactly its own chat, intact after the restart and the crash.
    const listed = (await (await first.context.request.get(`${balancer.url}/api/chats`)).json()) as {
      chats: { id: string; documents: { source: string }[] }[];
    };
    expect(listed.chats.map((chat) => chat.id)).toEqual([chatId]);
    expect(listed.chats[0]?.documents.map((document) => document.source)).toEqual(['lamp.txt']);
    expect(listed.chats.map((chat) => chat.id)).not.toContain(secondChatId);

    // Every instance served API steps of these sessions.
    const all = new Set([...first.served, ...second.served].filter(Boolean).map((entry) => entry.instance));
    expect([...all].sort()).toEqual(['one', 'three', 'two']);
    await first.context.close();
    await second.context.close();
  }, 180_000);

  it(`runs ${concurrentSessions} concurrent sessions through the balancer with no errors, each seeing only its own document`, async () => {
    const errors: string[] = [];
    const instancesSeen = new Set<string>();
    async function session(n: number): Promise<void> {
      let cookie = '';
      const call = async (path: string, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        if (cookie !== '') headers.set('cookie', cookie);
        const response = await fetch(`${balancer.url}${path}`, { ...init, headers });
        const set = response.headers.getSetCookie()[0];
        if (set !== undefined) cookie = set.split(';')[0] ?? '';
        instancesSeen.add(response.headers.get('x-docchat-instance') ?? '?');
        return response;
      };
      const secret = `secret${n}token`;
      const created = await call('/api/chats', { method: 'POST' });
      if (created.status !== 201) throw new Error(`session ${n}: create answered ${created.status}`);
      const { id } = (await created.json()) as { id: string };
      const uploaded = await call(`/api/chats/${id}/documents`, {
        method: 'POST',
        body: uploadForm(
          `notes-${n}.txt`,
          `The password of session ${n} is ${secret}.\n\nNothing else here.`,
        ),
      });
      if (uploaded.status !== 201) throw new Error(`session ${n}: upload answered ${uploaded.status}`);
      const asked = await call(`/api/chats/${id}/messages`, {
        method: 'POST',
        body: JSON.stringify({ question: 'What is the password?' }),
        headers: { 'content-type': 'application/json' },
      });
      if (asked.status !== 200) {
        throw new Error(`session ${n}: question answered ${asked.status} ${await asked.text()}`);
      }
      const events = parseEvents(await asked.text());
      const done = events.at(-1);
      if (done?.type !== 'done')
        throw new Error(`session ${n}: the answer ended with ${JSON.stringify(done)}`);
      const sources = events.find((event) => event.type === 'sources');
      const texts = sources?.type === 'sources' ? sources.sources.map((source) => source.text).join(' ') : '';
      if (!texts.includes(secret)) throw new Error(`session ${n}: its own passage is missing`);
      if ((texts.match(/secret\d+token/g) ?? []).some((token) => token !== secret)) {
        throw new Error(`session ${n}: saw another session's document`);
      }
      const chats = (await (await call('/api/chats')).json()) as { chats: { id: string }[] };
      if (chats.chats.length !== 1 || chats.chats[0]?.id !== id) {
        throw new Error(`session ${n}: lists ${chats.chats.length} chats`);
      }
    }
    await Promise.all(
      Array.from({ length: concurrentSessions }, (_, n) =>
        session(n).catch((error: unknown) => {
          errors.push(String(error));
        }),
      ),
    );
    expect(errors).toEqual([]);
    // The instance killed in the first test is gone; the two others shared the load.
    expect(instancesSeen.size).toBeGreaterThanOrEqual(2);
    expect(instancesSeen.has('?')).toBe(false);
  }, 180_000);
});
