import type { DatabaseSync } from 'node:sqlite';

/**
 * Every statement of the SQLite store, prepared on one connection: the main thread's reader and the writer
 * thread each prepare them on their own (a prepared statement belongs to its connection), from this one list.
 */
export function prepareStatements(db: DatabaseSync) {
  return {
    insertSession: db.prepare('INSERT INTO sessions (id, created_at, last_seen_at) VALUES (?, ?, ?)'),
    getSession: db.prepare('SELECT id, created_at, last_seen_at FROM sessions WHERE id = ?'),
    touchSession: db.prepare('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?'),
    chatIdsOfSession: db.prepare('SELECT id FROM chats WHERE session_id = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    chatIdsIdleSince: db.prepare(
      'SELECT chats.id FROM chats JOIN sessions ON sessions.id = chats.session_id WHERE sessions.last_seen_at < ?',
    ),
    deleteSessionsIdleSince: db.prepare('DELETE FROM sessions WHERE last_seen_at < ?'),
    insertChat: db.prepare('INSERT INTO chats (id, session_id, created_at, updated_at) VALUES (?, ?, ?, ?)'),
    listChats: db.prepare(
      'SELECT id, session_id, created_at, updated_at FROM chats WHERE session_id = ? ORDER BY updated_at DESC, created_at DESC, rowid DESC',
    ),
    getChat: db.prepare(
      'SELECT id, session_id, created_at, updated_at FROM chats WHERE id = ? AND session_id = ?',
    ),
    chatExists: db.prepare('SELECT 1 AS found FROM chats WHERE id = ?'),
    touchChat: db.prepare('UPDATE chats SET updated_at = max(updated_at, ?) WHERE id = ?'),
    deleteChat: db.prepare('DELETE FROM chats WHERE id = ? AND session_id = ?'),
    documentSummaries: db.prepare(
      'SELECT id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters, embedder FROM documents WHERE chat_id = ? ORDER BY rowid',
    ),
    documentByKey: db.prepare(
      'SELECT id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters FROM documents WHERE chat_id = ? AND idempotency_key = ?',
    ),
    insertDocument: db.prepare(
      'INSERT INTO documents (id, chat_id, source, kind, pages, readable_pages, ocr_pages, chunk_count, characters, embedder, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertContents: db.prepare(
      'INSERT INTO document_contents (document_id, text, layout, ids, sources, dimensions, vectors, sections, encoding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    contentsOfDocument: db.prepare(
      'SELECT text, layout, ids, sources, dimensions, vectors, sections, encoding FROM document_contents WHERE document_id = ?',
    ),
    insertFile: db.prepare(
      'INSERT INTO document_files (document_id, content_type, bytes, encoding) VALUES (?, ?, ?, ?)',
    ),
    getFile: db.prepare(
      'SELECT content_type, bytes, encoding FROM document_files JOIN documents ON documents.id = document_files.document_id WHERE documents.id = ? AND documents.chat_id = ?',
    ),
    insertLayout: db.prepare(
      'INSERT INTO document_layouts (document_id, text, boxes, encoding) VALUES (?, ?, ?, ?)',
    ),
    getLayout: db.prepare(
      'SELECT text, boxes, encoding FROM document_layouts JOIN documents ON documents.id = document_layouts.document_id WHERE documents.id = ? AND documents.chat_id = ?',
    ),
    uploadsOfChat: db.prepare(
      'SELECT id, source, created_at, status FROM uploads WHERE chat_id = ? ORDER BY created_at, rowid',
    ),
    insertUpload: db.prepare(
      "INSERT INTO uploads (id, chat_id, source, created_at, status) VALUES (?, ?, ?, ?, 'ingesting')",
    ),
    deleteUpload: db.prepare('DELETE FROM uploads WHERE id = ? AND chat_id = ?'),
    failUploads: db.prepare("UPDATE uploads SET status = 'failed' WHERE status = 'ingesting'"),
    insertMessage: db.prepare(
      'INSERT INTO messages (id, chat_id, role, content, created_at, status, query, sources, model, error, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateMessage: db.prepare(
      'UPDATE messages SET role = ?, content = ?, created_at = ?, status = ?, query = ?, sources = ?, model = ?, error = ?, truncated = ? WHERE id = ? AND chat_id = ?',
    ),
    interruptMessages: db.prepare("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'"),
    listMessages: db.prepare(
      'SELECT id, role, content, created_at, status, query, sources, model, error, truncated FROM messages WHERE chat_id = ? ORDER BY seq',
    ),
    listLastMessages: db.prepare(
      'SELECT * FROM (SELECT seq, id, role, content, created_at, status, query, sources, model, error, truncated FROM messages ' +
        'WHERE chat_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
    ),
  };
}
