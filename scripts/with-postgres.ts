import { spawnSync } from 'node:child_process';
import { startPostgresCluster } from '../src/test-helpers/postgres-cluster.ts';

/**
 * `node scripts/with-postgres.ts <command> [args...]`: runs the command with `DOCCHAT_TEST_DATABASE_URL` set to
 * a throwaway PostgreSQL cluster on 127.0.0.1 (initdb + pg_ctl, as `nobody` when run as root), then deletes the
 * cluster. With `DOCCHAT_TEST_DATABASE_URL` already set, runs the command against that database instead.
 * Exits with the command's status. Example: `node scripts/with-postgres.ts npx vitest run src/storage`.
 */
const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node scripts/with-postgres.ts <command> [args...]\n');
  process.exit(2);
}
const given = process.env.DOCCHAT_TEST_DATABASE_URL;
const cluster = given ? null : await startPostgresCluster();
const url = given ?? cluster?.url ?? '';
if (cluster !== null) process.stderr.write(`PostgreSQL test cluster at ${url} (${cluster.dataDir})\n`);
let status = 1;
try {
  const child = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DOCCHAT_TEST_DATABASE_URL: url },
  });
  status = child.status ?? 1;
} finally {
  cluster?.destroy();
}
process.exit(status);
