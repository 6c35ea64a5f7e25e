import { type Browser, chromium } from 'playwright-core';
import { programAvailability } from '../../src/test-helpers/local-processes.ts';

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
  return programAvailability(chromiumPath, 'browser tests', 'apt-get install chromium');
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
