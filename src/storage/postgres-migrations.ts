import type { PoolClient } from 'pg';
import { DocchatError } from '../core/errors.ts';

/** One versioned step of the PostgreSQL schema; applied in order, each in its own transaction, never edited. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** Advisory lock keys (one bigint namespace per purpose), shared by every docchat instance on a database. */
export const advisoryLocks = {
  migrations: 7_362_901_001,
  sweep: 7_362_901_002,
} as const;

/** Every migration, oldest first. Times are epoch milliseconds (`bigint`), like the SQLite store's. */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'sessions, chats, documents, chunks, messages',
    sql: `
CREATE TABLE sessions (
  id text PRIMARY KEY,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL
);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE TABLE chats (
  id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  -- Insertion order, to break ties between chats updated in the same millisecond.
  seq bigserial NOT NULL,
  -- Bumped by every change to the chat's documents: instances compare it to know their index is current.
  version bigint NOT NULL DEFAULT 0,
  -- The last message number handed out: messages are ordered by it, not by any instance's clock.
  last_message_seq bigint NOT NULL DEFAULT 0
);
CREATE INDEX chats_session ON chats (session_id, updated_at);
CREATE TABLE documents (
  id text PRIMARY KEY,
  chat_id text NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  seq bigserial NOT NULL,
  source text NOT NULL,
  kind text NOT NULL,
  pages integer,
  chunk_count integer NOT NULL,
  characters integer NOT NULL,
  embedder text,
  created_at bigint NOT NULL
);
CREATE INDEX documents_chat ON documents (chat_id, seq);
CREATE TABLE chunks (
  document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  position integer NOT NULL,
  id text NOT NULL,
  source text NOT NULL,
  page integer,
  start_offset integer NOT NULL,
  end_offset integer NOT NULL,
  text text NOT NULL,
  -- Little-endian Float32, as in the SQLite store.
  vector bytea,
  PRIMARY KEY (document_id, position)
);
CREATE TABLE messages (
  chat_id text NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  id text NOT NULL UNIQUE,
  role text NOT NULL,
  content text NOT NULL,
  created_at bigint NOT NULL,
  status text,
  query text,
  sources jsonb,
  model jsonb,
  error jsonb,
  PRIMARY KEY (chat_id, seq)
);
`,
  },
  {
    version: 2,
    name: 'uploads, idempotency keys, readable pages, streaming owners, original files, layouts, chunk sections',
    sql: `
ALTER TABLE documents ADD COLUMN idempotency_key text;
-- How many pages of a damaged PDF could be read (NULL: all of them).
ALTER TABLE documents ADD COLUMN readable_pages integer;
CREATE UNIQUE INDEX documents_idempotency ON documents (chat_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
ALTER TABLE chunks ADD COLUMN section jsonb;
-- The exact text as UTF-16LE, only when it has a lone surrogate (a chunk cut inside an emoji): UTF-8 text
-- columns cannot hold one, so \`text\` has U+FFFD there.
ALTER TABLE chunks ADD COLUMN text_utf16 bytea;
CREATE TABLE document_files (
  document_id text PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  content_type text NOT NULL,
  bytes bytea NOT NULL
);
CREATE TABLE document_layouts (
  document_id text PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  text text NOT NULL,
  -- [page, x, y, width, height, start, end] per box, as in the SQLite store.
  boxes jsonb NOT NULL
);
CREATE TABLE uploads (
  id text PRIMARY KEY,
  chat_id text NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  seq bigserial NOT NULL,
  source text NOT NULL,
  created_at bigint NOT NULL,
  status text NOT NULL,
  -- The advisory lock key of the instance ingesting it: while that lock is held, the instance is alive.
  owner bigint
);
CREATE INDEX uploads_chat ON uploads (chat_id, created_at, seq);
CREATE INDEX uploads_ingesting ON uploads (owner) WHERE status = 'ingesting';
ALTER TABLE messages ADD COLUMN owner bigint;
CREATE INDEX messages_streaming ON messages (owner) WHERE status = 'streaming';
`,
  },
  {
    version: 3,
    name: 'pages read by OCR, answers cut off at their length limit',
    sql: `
-- The page numbers whose text was read by OCR, as a JSON array (NULL: none).
ALTER TABLE documents ADD COLUMN ocr_pages jsonb;
-- The answer stopped at its max_tokens (finish_reason "length").
ALTER TABLE messages ADD COLUMN truncated boolean;
`,
  },
];

/** The schema version this code writes. */
export const postgresSchemaVersion = postgresMigrations.at(-1)?.version ?? 0;

/**
 * Brings the database to {@link postgresSchemaVersion}. Instances starting together queue on an advisory lock,
 * so each migration runs exactly once; the others find it applied. Throws `internal` when the database was
 * migrated by a newer docchat.
 */
export async function migratePostgres(
  client: PoolClient,
  migrations: readonly PostgresMigration[] = postgresMigrations,
): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [advisoryLocks.migrations]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS docchat_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM docchat_schema_migrations',
    );
    const current = rows[0]?.version ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new DocchatError(
        'internal',
        `The chat database was migrated by a newer docchat (schema ${current}); upgrade docchat or use another DOCCHAT_DATABASE_URL.`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO docchat_schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [advisoryLocks.migrations]);
  }
}
