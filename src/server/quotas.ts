import type { Quotas } from '../config.ts';
import { DocchatError } from '../core/errors.ts';
import { createRateLimiter } from './rate-limiter.ts';

/** Counts of what a session holds in the store, as the upload quota checks them. */
export interface SessionUsage {
  chats: number;
  documents: number;
  /** Bytes of extracted text over all its documents. */
  bytes: number;
}

/** The server's quotas; each check throws `quota_exceeded` (429, with `retryAfterSeconds`) when refused. */
export interface QuotaGuard {
  /** Before a new chat. */
  checkNewChat(usage: SessionUsage): void;
  /**
   * Before an upload is read: counts the session's documents and bytes, plus its uploads still in flight, and
   * reserves this one until `release` is called (so ten parallel uploads cannot all pass one last free slot).
   */
  reserveUpload(sessionId: string, usage: SessionUsage, uploadBytes: number): () => void;
  /** Before a question. */
  takeMessage(sessionId: string): void;
  /** Before a new session is started for a client address. */
  takeNewSession(address: string): void;
}

/** Quotas that never refuse anything, for embedding applications and tests that do not want them. */
export const unlimitedQuotas: Pick<
  Quotas,
  | 'maxChatsPerSession'
  | 'maxDocumentsPerSession'
  | 'maxBytesPerSession'
  | 'messagesPerMinute'
  | 'sessionsPerMinutePerAddress'
> = {
  maxChatsPerSession: Number.POSITIVE_INFINITY,
  maxDocumentsPerSession: Number.POSITIVE_INFINITY,
  maxBytesPerSession: Number.POSITIVE_INFINITY,
  messagesPerMinute: Number.POSITIVE_INFINITY,
  sessionsPerMinutePerAddress: Number.POSITIVE_INFINITY,
};

const minuteMs = 60_000;
/** Counted quotas free up only when the user deletes something; clients are told to look again in a minute. */
const countedRetryAfterSeconds = 60;

function exceeded(message: string, quota: string, limit: number, retryAfterSeconds: number): DocchatError {
  return new DocchatError('quota_exceeded', message, { details: { quota, limit, retryAfterSeconds } });
}

/** Builds the {@link QuotaGuard} of `Config.quotas` (rate windows are kept in memory, per process). */
export function createQuotaGuard(
  quotas: Pick<
    Quotas,
    | 'maxChatsPerSession'
    | 'maxDocumentsPerSession'
    | 'maxBytesPerSession'
    | 'messagesPerMinute'
    | 'sessionsPerMinutePerAddress'
  >,
  now: () => number,
): QuotaGuard {
  const messages = createRateLimiter({ limit: quotas.messagesPerMinute, windowMs: minuteMs, now });
  const sessions = createRateLimiter({ limit: quotas.sessionsPerMinutePerAddress, windowMs: minuteMs, now });
  const inFlight = new Map<string, { uploads: number; bytes: number }>();

  return {
    checkNewChat(usage) {
      if (usage.chats >= quotas.maxChatsPerSession) {
        throw exceeded(
          `You have ${usage.chats} chats, the most one browser may keep. Delete a chat to start a new one.`,
          'chats',
          quotas.maxChatsPerSession,
          countedRetryAfterSeconds,
        );
      }
    },

    reserveUpload(sessionId, usage, uploadBytes) {
      const pending = inFlight.get(sessionId) ?? { uploads: 0, bytes: 0 };
      if (usage.documents + pending.uploads >= quotas.maxDocumentsPerSession) {
        throw exceeded(
          `You have ${usage.documents + pending.uploads} documents, the most one browser may keep. ` +
            'Delete a chat to make room.',
          'documents',
          quotas.maxDocumentsPerSession,
          countedRetryAfterSeconds,
        );
      }
      if (usage.bytes + pending.bytes + uploadBytes > quotas.maxBytesPerSession) {
        throw exceeded(
          `Your documents would take more than the ${quotas.maxBytesPerSession.toLocaleString('en-US')} bytes ` +
            'of text one browser may keep. Delete a chat to make room.',
          'bytes',
          quotas.maxBytesPerSession,
          countedRetryAfterSeconds,
        );
      }
      pending.uploads++;
      pending.bytes += uploadBytes;
      inFlight.set(sessionId, pending);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        pending.uploads--;
        pending.bytes -= uploadBytes;
        if (pending.uploads === 0) inFlight.delete(sessionId);
      };
    },

    takeMessage(sessionId) {
      const retryAfterSeconds = messages.take(sessionId);
      if (retryAfterSeconds !== null) {
        throw exceeded(
          `You have asked ${quotas.messagesPerMinute} questions this minute, the most allowed. ` +
            `Wait ${retryAfterSeconds} s and ask again.`,
          'messages_per_minute',
          quotas.messagesPerMinute,
          retryAfterSeconds,
        );
      }
    },

    takeNewSession(address) {
      const retryAfterSeconds = sessions.take(address);
      if (retryAfterSeconds !== null) {
        throw exceeded(
          `Too many new sessions from your address this minute. Keep your cookies (or wait ${retryAfterSeconds} s).`,
          'sessions_per_minute',
          quotas.sessionsPerMinutePerAddress,
          retryAfterSeconds,
        );
      }
    },
  };
}
