import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../src/test-helpers/fake-openai-server.ts';
import { buildEncryptedPdf, buildScannedPdf, buildTextPdf } from '../src/test-helpers/pdf-fixtures.ts';
import { type AppServer, ensureWebBuilt, repoRoot, startAppServer } from './support/app-server.ts';
import { browserAvailability, launchBrowser } from './support/browser.ts';

const { available } = browserAvailability();
const screenshotDir = join(repoRoot, 'artifacts', 'screenshots');
// The README's images are rewritten only on request, so a test run does not churn tracked files.
const readmeImageDir = process.env.DOCCHAT_UPDATE_SCREENSHOTS ? join(repoRoot, 'docs', 'images') : null;

// Each page is longer than one chunk, so a passage's page number says where it really is.
const handbookPages = [
  [
    'Harbor Light Keeper Handbook',
    'This handbook describes the daily duties of a lighthouse keeper at Harbor Light.',
    'The keeper lives in the stone cottage beside the tower, with a view of the channel.',
    'Supplies arrive by boat on the first Monday of every month, weather permitting.',
    'The keeper keeps a spare key to the tower in the cottage kitchen, above the stove.',
    'Visitors may climb the tower on Sunday afternoons when the sea is calm.',
    'The station has a small library of charts, tide tables and weather almanacs.',
    'A radio in the cottage connects the keeper with the harbor master at all hours.',
    'The tower is painted white every five years, with a red band near the gallery.',
    'New keepers spend two weeks beside an experienced keeper before working alone.',
    'The garden behind the cottage grows potatoes, cabbages and a few hardy herbs.',
    'Fresh water comes from a rain cistern that is inspected every spring.',
    'The keeper writes a short report to the harbor master at the end of each season.',
  ],
  [
    'Cleaning the lamp',
    'The lamp lens is cleaned every morning with warm water and vinegar.',
    'A soft linen cloth is used so that the glass is never scratched.',
    'The keeper records each cleaning of the lens in the logbook before breakfast.',
    'Brass fittings around the lens are polished once a week with a mild paste.',
    'Soot from the old oil lamps must never be left on the prisms overnight.',
    'Curtains are drawn around the lens during the day to protect it from the sun.',
    'Cracked prisms are reported to the harbor master on the same day they are found.',
    'The lamp mechanism is wound every four hours from sunset to sunrise.',
    'Spare bulbs are stored in a dry wooden box at the foot of the lantern stairs.',
    'The keeper tests the lamp each evening half an hour before sunset.',
    'A second keeper checks the cleaning records at the end of every month.',
  ],
  [
    'Storm procedures',
    'During a storm the keeper checks the fog horn every hour through the night.',
    'Ships are warned by three long blasts of the horn when visibility falls.',
    'The keeper closes the storm shutters on the seaward windows of the cottage.',
    'Loose equipment on the gallery is brought inside before the wind rises.',
    'If the power fails, the backup generator is started from the engine room.',
    'The keeper radios the harbor master every two hours until the storm passes.',
    'Wet weather gear hangs by the tower door so that it can be reached quickly.',
    'After a storm the keeper walks the rocks at low tide to look for damage.',
    'Damage to the tower or the landing stage is written in the storm log.',
    'Lifebuoys are checked after every storm and replaced when they are worn.',
  ],
].map((lines) => lines.join('\n'));

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

interface Seen {
  progress: string[];
  processing: boolean;
}

/** Records what the page showed at any moment, so a progress bar that lived briefly is still seen. */
function watchPage(): void {
  const seen: Seen = { progress: [], processing: false };
  Object.assign(window, { docchatSeen: seen });
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll('[role="progressbar"]')) {
      seen.progress.push(bar.getAttribute('aria-valuenow') ?? '');
    }
    if (document.body?.textContent?.includes('Processing handbook.pdf...')) seen.processing = true;
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

const openPages = new Set<Page>();

/** On a failure, keeps a picture of every page still open: the quickest way to see what went wrong. */
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    let index = 0;
    for (const page of openPages) {
      if (!page.isClosed())
        await screenshot(page, `failed-${context.task.name.replace(/\W+/g, '-')}-${index++}`);
    }
  }
  openPages.clear();
});

async function newPage(browser: Browser, viewport = desktop, from?: BrowserContext) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: viewport === phone ? 2 : 1,
    storageState: from ? await from.storageState() : undefined,
  });
  // Well under the test timeout, so a missing element fails with Playwright's own message.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.addInitScript(watchPage);
  openPages.add(page);
  return { context, page };
}

async function screenshot(page: Page, name: string, forReadme = false): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  if (forReadme && readmeImageDir) {
    mkdirSync(readmeImageDir, { recursive: true });
    await page.screenshot({ path: join(readmeImageDir, `${name}.png`) });
  }
}

async function uploadFirstFile(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await page.getByLabel('Choose a Text or PDF file').setInputFiles({ name, mimeType, buffer });
}

async function ask(page: Page, question: string): Promise<void> {
  const box = page.getByLabel('Your question');
  await box.fill(question);
  await box.press('Enter');
}

/** Waits until the newest answer has stopped streaming, and returns it. */
async function lastAnswer(page: Page) {
  const answer = page.locator('.bubble-answer').last();
  await answer.locator('.answer-body[aria-busy="false"]').waitFor();
  return answer;
}

describe.skipIf(!available)('the docchat UI in Chromium', () => {
  let browser: Browser;
  let server: AppServer;

  beforeAll(async () => {
    await ensureWebBuilt();
    // OCR off: the scan below is then refused at once (OCR itself is tested in src/loaders, page by page).
    server = await startAppServer({ DOCCHAT_OCR: 'off' });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  let ownerContext: BrowserContext;
  let chatUrl = '';

  it('asks for a file, shows progress, answers with sources and pages', async () => {
    const { context, page } = await newPage(browser);
    ownerContext = context;
    await page.goto(server.url);
    await page.getByText('Please upload a Text or PDF file to begin!').waitFor();
    await page.getByText(/\.pdf, \.txt, \.md.*up to 2 MB/).waitFor();
    await page.getByText('Offline · extractive').first().waitFor();
    await page.getByText('deleted when left unused for 24 hours').waitFor();

    const pdf = Buffer.from(await buildTextPdf(handbookPages));
    await uploadFirstFile(page, 'handbook.pdf', 'application/pdf', pdf);
    await page.getByText('Processing handbook.pdf done. You can now ask questions!').waitFor();
    const seen = await page.evaluate(() => (window as unknown as { docchatSeen: Seen }).docchatSeen);
    expect(seen.processing).toBe(true);
    expect(seen.progress.length).toBeGreaterThan(0);
    await page.waitForURL(/\/chats\/[^/]+$/);
    chatUrl = page.url();
    await page.getByRole('navigation', { name: 'Your chats' }).getByText('handbook.pdf').waitFor();

    // Shift+Enter makes a new line; Enter sends.
    const box = page.getByLabel('Your question');
    await box.click();
    await page.keyboard.type('How is the lamp');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('lens cleaned?');
    await expect(box.inputValue()).resolves.toBe('How is the lamp\nlens cleaned?');
    await expect(page.locator('.bubble-question').count()).resolves.toBe(0);
    await page.keyboard.press('Enter');

    const answer = await lastAnswer(page);
    await expect(answer.textContent()).resolves.toMatch(/vinegar/);
    await answer.getByText('Offline · extractive').waitFor();
    const sources = page.locator('aside.sources');
    const lensSource = sources.locator('li.source', { hasText: 'vinegar' }).first();
    await expect(lensSource.locator('.source-file').textContent()).resolves.toBe('handbook.pdf');
    await expect(lensSource.locator('.source-page').textContent()).resolves.toBe('p. 2');
    await expect(lensSource.locator('mark', { hasText: /^lens$/i }).count()).resolves.toBeGreaterThan(0);

    const citation = answer.locator('button.citation').first();
    if ((await citation.count()) > 0) {
      // A citation opens its passage in the viewer; Escape closes it and leaves focus on the source.
      await citation.click();
      await page.getByRole('dialog').waitFor();
      await page.locator('.viewer-highlight').first().waitFor();
      await screenshot(page, 'docchat-viewer', true);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await expect(page.evaluate(() => document.activeElement?.closest('li.source') !== null)).resolves.toBe(
        true,
      );
    }
    await screenshot(page, 'docchat-desktop', true);
  });

  it('restores the chat after a refresh, also on a phone-sized screen', async () => {
    const { context, page } = await newPage(browser, phone, ownerContext);
    await page.goto(chatUrl);
    await page.getByText('How is the lamp').first().waitFor();
    const answer = await lastAnswer(page);
    await expect(answer.textContent()).resolves.toMatch(/vinegar/);
    await expect(page.locator('aside.sources li.source').count()).resolves.toBeGreaterThan(0);
    await page.locator('main').getByText('handbook.pdf').first().waitFor();
    // On a phone the sources sit under the chat instead of beside it.
    const chatBox = await page.locator('main.chat').boundingBox();
    const sourcesBox = await page.locator('aside.sources').boundingBox();
    expect(sourcesBox && chatBox && sourcesBox.y >= chatBox.y + chatBox.height - 1).toBe(true);
    await screenshot(page, 'docchat-phone', true);

    await page.reload();
    await page.getByText('How is the lamp').first().waitFor();
    await context.close();
  });

  it('keeps raw HTML in documents and answers as text', async () => {
    const page = await ownerContext.newPage();
    openPages.add(page);
    await page.goto(server.url);
    const hostile =
      'The secret password is swordfish <img src=x onerror="window.docchatHacked=1"> and ' +
      '<script>window.docchatHacked=2</script> nothing else.\n\nThe password was chosen by the keeper.';
    await uploadFirstFile(page, 'hostile.txt', 'text/plain', Buffer.from(hostile));
    await page.getByText('Processing hostile.txt done. You can now ask questions!').waitFor();
    await ask(page, 'What is the secret password?');
    const answer = await lastAnswer(page);
    await expect(page.locator('aside.sources li.source').first().textContent()).resolves.toContain(
      '<img src=x',
    );
    expect(await answer.textContent()).toMatch(/swordfish/);
    await expect(page.locator('main img, aside img').count()).resolves.toBe(0);
    await expect(page.locator('main script, aside script').count()).resolves.toBe(0);
    await expect(page.evaluate(() => 'docchatHacked' in window)).resolves.toBe(false);
    await screenshot(page, 'hostile-html');

    // A second file joins the same chat, and both are searched.
    await page.getByLabel('Choose another file for this chat').setInputFiles({
      name: 'extra.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Extra\n\nThe ferry leaves at noon.'),
    });
    await page.getByText('Processing extra.md done. You can now ask questions!').waitFor();
    await ask(page, 'When does the ferry leave?');
    const second = await lastAnswer(page);
    await expect(second.textContent()).resolves.toContain('noon');
    await page.getByRole('navigation', { name: 'Your chats' }).getByText('2 files').waitFor();
    await page.close();
  });

  it('refuses too-large and wrong-type files before uploading, and shows server refusals', async () => {
    const page = await ownerContext.newPage();
    openPages.add(page);
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/documents')) uploads.push(request.url());
    });
    await page.goto(server.url);
    await uploadFirstFile(page, 'big.txt', 'text/plain', Buffer.alloc(2_000_001, 'a'));
    await page.getByRole('alert').filter({ hasText: 'The file is larger than the 2 MB limit.' }).waitFor();
    await uploadFirstFile(page, 'slides.pptx', 'application/octet-stream', Buffer.from('PK\u0003\u0004'));
    await page.getByRole('alert').filter({ hasText: '"slides.pptx" is not a supported file type' }).waitFor();
    expect(uploads).toEqual([]);

    const binary = Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7, 8, 0, 0, 0, 1, 2]);
    await uploadFirstFile(page, 'blob.txt', 'text/plain', binary);
    await page.getByRole('alert').filter({ hasText: 'Could not process blob.txt' }).waitFor();
    expect(uploads.length).toBe(1);

    // A scanned PDF opens fine; that it has no text is known only after every page, as a streamed error.
    await uploadFirstFile(
      page,
      'scan.pdf',
      'application/pdf',
      Buffer.from(await buildScannedPdf({ pages: 2 })),
    );
    await page.getByRole('alert').filter({ hasText: 'Could not process scan.pdf' }).waitFor();
    await page.getByText('Please upload a Text or PDF file to begin!').waitFor();
    await screenshot(page, 'refused-files');
    // Failed uploads and refusals can be dismissed.
    await page.getByRole('button', { name: 'Dismiss the failed upload of blob.txt' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'Could not process blob.txt' }).count(),
    ).resolves.toBe(0);
    await page
      .getByRole('alert')
      .filter({ hasText: 'The file is larger than the 2 MB limit.' })
      .getByRole('button', { name: 'Dismiss this message' })
      .click();
    await expect(page.getByText('The file is larger than the 2 MB limit.').count()).resolves.toBe(0);
    await page.getByRole('alert').filter({ hasText: 'Could not process scan.pdf' }).waitFor();
    await page.close();
  });

  it('asks for the password of an encrypted PDF and retries with it', async () => {
    const page = await ownerContext.newPage();
    openPages.add(page);
    await page.goto(server.url);
    const pdf = Buffer.from(await buildEncryptedPdf(handbookPages, { userPassword: 'open-sesame' }));
    await uploadFirstFile(page, 'locked.pdf', 'application/pdf', pdf);
    const password = page.getByLabel('PDF password');
    await password.waitFor();
    await password.fill('wrong guess');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').filter({ hasText: 'Could not process locked.pdf' }).waitFor();
    await page.getByLabel('PDF password').fill('open-sesame');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('Processing locked.pdf done. You can now ask questions!').waitFor();
    await page.close();
  });

  it('keeps one browser from seeing another browser’s chats', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(server.url);
    await page.getByText('No chats yet.').waitFor();
    await page.goto(chatUrl);
    await page.getByRole('alert').filter({ hasText: 'That chat does not exist here' }).waitFor();
    await expect(page.getByText('How is the lamp').count()).resolves.toBe(0);
    await page.waitForURL(`${server.url}/`);
    await context.close();
  });

  it('forgets a chat after confirmation', async () => {
    const page = await ownerContext.newPage();
    openPages.add(page);
    await page.goto(chatUrl);
    await page.getByText('How is the lamp').first().waitFor();
    await page.getByRole('button', { name: 'Forget chat' }).click();
    await page.getByRole('button', { name: 'Forget', exact: true }).click();
    await page.getByText('Please upload a Text or PDF file to begin!').waitFor();
    const chatId = chatUrl.split('/').at(-1) ?? '';
    const response = await ownerContext.request.get(`${server.url}/api/chats/${chatId}`);
    expect(response.status()).toBe(404);
    const list = page.getByRole('navigation', { name: 'Your chats' });
    await list.getByText('handbook.pdf').waitFor({ state: 'detached' });

    // Forgetting everything empties this browser's list (the other chats of this session go too).
    await expect(list.getByText('hostile.txt').count()).resolves.toBe(1);
    await list.getByRole('button', { name: 'Forget all my chats' }).click();
    await list.getByRole('button', { name: 'Forget all', exact: true }).click();
    await list.getByText('No chats yet.').waitFor();
    const chats = await ownerContext.request.get(`${server.url}/api/chats`);
    expect(await chats.json()).toEqual({ chats: [] });
    await page.close();
  });
});

describe.skipIf(!available)('stopping a slow answer in Chromium', () => {
  let browser: Browser;
  let server: AppServer;
  let fake: FakeOpenAIServer;
  const reply = `${Array.from({ length: 80 }, (_, index) => `word${index}`).join(' ')} [1].`;

  beforeAll(async () => {
    await ensureWebBuilt();
    fake = await startFakeOpenAIServer({ reply, tokenDelayMs: 100 });
    server = await startAppServer({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-e2e-fake',
      DOCCHAT_CHAT: 'openai',
      DOCCHAT_CHAT_MODEL: 'gpt-4o-mini',
      DOCCHAT_EMBEDDER: 'local',
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
  });

  it('stops the stream, aborts the model request, and keeps the partial answer', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(server.url);
    await page.getByText('gpt-4o-mini').first().waitFor();
    await uploadFirstFile(page, 'notes.txt', 'text/plain', Buffer.from(handbookPages.join('\n\n')));
    await page.getByText('Processing notes.txt done. You can now ask questions!').waitFor();
    await ask(page, 'How is the lamp cleaned?');
    const answer = page.locator('.bubble-answer').last();
    await answer.getByText('word3').waitFor();
    await page.getByRole('button', { name: 'Stop the answer' }).click();
    await answer.getByText('Stopped.').waitFor();
    await page.getByRole('button', { name: 'Send' }).waitFor();
    const partial = (await answer.locator('.markdown').textContent()) ?? '';
    expect(partial).toContain('word3');
    expect(partial).not.toContain('word79');

    const chatRequest = fake.requests.find((request) => request.path.startsWith('/v1/chat/completions'));
    expect(chatRequest).toBeDefined();
    if (chatRequest) await expect(fake.settled(chatRequest)).resolves.toBe('client-closed');

    await page.reload();
    const restored = await lastAnswer(page);
    await restored.getByText('Stopped.').waitFor();
    await expect(restored.textContent()).resolves.toContain('word3');
    await restored.getByText('gpt-4o-mini').waitFor();
    await screenshot(page, 'stopped-answer');
    await context.close();
  });
});

describe.skipIf(!available)('an upload cut off by a crash, in Chromium', () => {
  let browser: Browser;
  const servers: AppServer[] = [];
  let dataDir = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await launchBrowser();
    dataDir = mkdtempSync(join(tmpdir(), 'docchat-e2e-crash-'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows it as failed after the restart, and forgets it when dismissed', async () => {
    // Both servers keep their data in one folder, as one server restarted would.
    const start = async () => {
      const server = await startAppServer({ DOCCHAT_DATA_DIR: dataDir });
      servers.push(server);
      return server;
    };
    const first = await start();
    const { context, page } = await newPage(browser);
    await page.goto(first.url);
    // A scan is read by OCR page by page: slow enough to be killed in the middle of it.
    await uploadFirstFile(
      page,
      'scan.pdf',
      'application/pdf',
      Buffer.from(await buildScannedPdf({ pages: 4 })),
    );
    await page.getByText(/Reading page \d of 4 \(OCR\)/).waitFor({ timeout: 60_000 });
    await page.waitForURL(/\/chats\/[^/]+$/);
    const chatId = page.url().split('/').at(-1) ?? '';
    await first.kill();

    // The cookie is the host's, so the browser's session goes on with the restarted server.
    const second = await start();
    await page.goto(`${second.url}/chats/${chatId}`);
    const notice = page
      .getByRole('alert')
      .filter({ hasText: '“scan.pdf” failed: the server stopped while reading it.' });
    await notice.waitFor();
    await notice.getByRole('button', { name: 'Dismiss the failed upload' }).click();
    await notice.waitFor({ state: 'detached' });
    const chat = await (await context.request.get(`${second.url}/api/chats/${chatId}`)).json();
    expect(chat.uploads).toEqual([]);
    await page.reload();
    await page.getByText('Please upload a Text or PDF file to begin!').waitFor();
    await expect(page.getByText('“scan.pdf” failed').count()).resolves.toBe(0);
    await context.close();
  }, 120_000);
});
