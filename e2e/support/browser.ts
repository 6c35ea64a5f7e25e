import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium: the browser tests never download one. */
export const chromiumPath = '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Whether the browser suite can run. Without Chromium it is skipped locally (with a note saying how to get it)
 * and fails in CI, where a silently skipped suite would hide a broken setup.
 */
export function browserAvailability(): { available: boolean; reason: string } {
  if (existsSync(chromiumPath)) return { available: true, reason: '' };
  const reason = `Chromium is missing at ${chromiumPath}; install it with: apt-get install chromium`;
  if (process.env.CI) throw new Error(`Browser tests cannot run in CI: ${reason}`);
  console.warn(`Skipping the browser tests. ${reason}`);
  return { available: false, reason };
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
