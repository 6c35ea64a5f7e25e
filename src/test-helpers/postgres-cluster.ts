import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, programAvailability } from './local-processes.ts';

/** Debian's PostgreSQL 15 binaries (`apt-get install postgresql-15`). */
export const postgresBin = '/usr/lib/postgresql/15/bin';

/** The user a cluster runs as when the tests run as root: PostgreSQL refuses to run as root. */
const unprivilegedUser = 'nobody';

/** A throwaway PostgreSQL cluster on 127.0.0.1, owned by this process. */
export interface PostgresCluster {
  /** `postgres://` URL of the cluster's `postgres` database (trust authentication, loopback only). */
  readonly url: string;
  readonly dataDir: string;
  /** Stops the server (fast shutdown: open connections are cut, as in a real restart). */
  stopServer(): void;
  startServer(): void;
  /** Stops and starts the server on the same port. */
  restart(): void;
  /** Stops the server and deletes its files. */
  destroy(): void;
}

/**
 * Whether PostgreSQL tests can run: the binaries are installed. Without them they are skipped locally (with a
 * note) and fail in CI, where a silently skipped suite would hide a broken setup. An explicit
 * `DOCCHAT_TEST_DATABASE_URL` also counts as available, for suites that only need a database.
 */
export function postgresAvailability(options: { needsBinaries?: boolean } = {}): { available: boolean } {
  if (!options.needsBinaries && process.env.DOCCHAT_TEST_DATABASE_URL) return { available: true };
  const { available } = programAvailability(
    join(postgresBin, 'initdb'),
    'PostgreSQL tests',
    'apt-get install postgresql-15',
  );
  return { available };
}

/** Runs a PostgreSQL binary, as an unprivileged user when this process is root. */
function run(binary: string, args: readonly string[]): void {
  const path = join(postgresBin, binary);
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : path, root ? ['-u', unprivilegedUser, '--', path, ...args] : args, {
    stdio: 'pipe',
    cwd: tmpdir(),
  });
}

/**
 * Creates and starts a cluster in a fresh temporary directory (`initdb` + `pg_ctl`), listening on 127.0.0.1 only
 * with its socket in that directory. Takes a few seconds.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'docchat-pg-'));
  const port = await freePort();
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', unprivilegedUser], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', unprivilegedUser], { encoding: 'utf8' }).trim());
    chownSync(dataDir, uid, gid);
  }
  const pgData = join(dataDir, 'data');
  run('initdb', ['-D', pgData, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  writeFileSync(
    join(pgData, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dataDir}'`,
      'fsync = off',
      'max_connections = 200',
      '',
    ].join('\n'),
  );
  const logFile = join(dataDir, 'server.log');
  const startServer = () => run('pg_ctl', ['-D', pgData, '-l', logFile, '-w', '-t', '30', 'start']);
  const stopServer = () => run('pg_ctl', ['-D', pgData, '-m', 'fast', '-w', 'stop']);
  startServer();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    startServer,
    stopServer,
    restart() {
      stopServer();
      startServer();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        stopServer();
      } catch {
        // Already stopped.
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
