import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the caller to listen on). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether a suite that needs a program from Debian's packages can run: the program is at `path`. Without it the
 * suite is skipped locally (with a note saying how to install it) and fails in CI, where a silently skipped suite
 * would hide a broken setup. `what` names the suite ("browser tests"), `install` the command that installs it.
 */
export function programAvailability(
  path: string,
  what: string,
  install: string,
): { available: boolean; reason: string } {
  if (existsSync(path)) return { available: true, reason: '' };
  const reason = `${path} is missing; install it with: ${install}`;
  if (process.env.CI) throw new Error(`The ${what} cannot run in CI: ${reason}`);
  console.warn(`Skipping the ${what}. ${reason}`);
  return { available: false, reason };
}

/** Stops a child with `signal`, killing it after `graceMs` if it has not exited by then. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

/**
 * Waits until `url` answers 200 (polling every 100 ms), failing with what the child printed when it exits first
 * or when `timeoutMs` passes; `stop` is called before failing.
 */
export async function waitUntilAnswering(
  url: string,
  options: {
    child: ChildProcess;
    name: string;
    timeoutMs: number;
    output: () => string;
    stop: () => Promise<void>;
  },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    if (options.child.exitCode !== null) {
      await options.stop();
      throw new Error(`${options.name} exited before it was ready:\n${options.output()}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await options.stop();
      throw new Error(
        `${options.name} did not answer ${url} within ${options.timeoutMs / 1000} s:\n${options.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
