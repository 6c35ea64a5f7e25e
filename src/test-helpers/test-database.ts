import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster.ts';

let cluster: Promise<PostgresCluster> | null = null;

/** The server tests use: `DOCCHAT_TEST_DATABASE_URL` (a throwaway server), or a cluster started on first use. */
async function serverUrl(): Promise<string> {
  const given = process.env.DOCCHAT_TEST_DATABASE_URL;
  if (given) return given;
  cluster ??= startPostgresCluster();
  return (await cluster).url;
}

/** Stops the cluster {@link createTestDatabase} started, if any. Call in `afterAll`. */
export async function stopTestCluster(): Promise<void> {
  const started = cluster;
  cluster = null;
  (await started)?.destroy();
}

/** A new, empty database on the test server, so each test starts from nothing; returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const url = new URL(await serverUrl());
  const name = `docchat_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.href;
}
