import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { ChatStore } from './chat-store.ts';
import { createPostgresChatStore } from './postgres-chat-store.ts';
import { createSqliteChatStore } from './sqlite-chat-store.ts';
import { verifySqliteFile } from './sqlite-errors.ts';
import { defaultSqliteLimits } from './sqlite-schema.ts';

/**
 * The store the configuration asks for: PostgreSQL when `DOCCHAT_DATABASE_URL` is set, else the SQLite file
 * (checked first: `storage_corrupt` names a damaged file).
 */
export async function openChatStore(
  config: Config,
  options: { onIdleError?: (error: Error) => void } = {},
): Promise<ChatStore> {
  const { url, sqliteWalLimitBytes, ...pool } = config.database;
  if (url === undefined) {
    const path = join(config.server.dataDir, 'docchat.sqlite');
    verifySqliteFile(path);
    return createSqliteChatStore({
      path,
      limits: { ...defaultSqliteLimits, walSizeLimitBytes: sqliteWalLimitBytes },
    });
  }
  return createPostgresChatStore({
    url,
    ...pool,
    ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
  });
}
