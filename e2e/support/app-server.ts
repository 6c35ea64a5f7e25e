import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild, waitUntilAnswering } from '../../src/test-helpers/local-processes.ts';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const builtIndex = join(repoRoot, 'dist', 'web', 'index.html');
const buildInputs = ['web', 'vite.config.ts', 'src/core', 'src/positions', 'package.json'].map((path) =>
  join(repoRoot, path),
);

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Builds the UI with Vite when `dist/web` is missing or older than its sources. A lock directory keeps two
 * test files from building at once; the second waits and then finds the build fresh.
 */
export async function ensureWebBuilt(): Promise<void> {
  const lock = join(repoRoot, 'dist', '.web-build-lock');
  mkdirSync(join(repoRoot, 'dist'), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another build is running (or died: a lock older than two minutes is stale).
      if (attempt > 600 || Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    const stale =
      !existsSync(builtIndex) || statSync(builtIndex).mtimeMs < Math.max(...buildInputs.map(newestMtime));
    if (stale) {
      execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
    }
  } finally {
    rmdirSync(lock);
  }
}

/** A running docchat server (the real `src/server/main.ts`) with its own temporary data directory. */
export interface AppServer {
  readonly url: string;
  readonly dataDir: string;
  /** What the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would; `stop` still cleans up. */
  kill(): Promise<void>;
}

/**
 * Starts the real server as a child process on a free loopback port, offline by default (no OpenAI variables
 * are inherited), and waits until `/api/health` answers.
 */
export async function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'docchat-e2e-'));
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OPENAI_') && !key.startsWith('DOCCHAT_')),
  );
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'src', 'server', 'main.ts')], {
    cwd: repoRoot,
    env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', DOCCHAT_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    await stopChild(child, exited, 'SIGTERM', 8_000);
    rmSync(dataDir, { recursive: true, force: true });
  };
  await waitUntilAnswering(`${url}/api/health`, {
    child,
    name: 'The docchat server',
    timeoutMs: 30_000,
    output: () => output,
    stop,
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { url, dataDir, output: () => output, stop, kill };
}
