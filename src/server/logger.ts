/** Fields of one log line: plain values only, never document text, questions or API keys. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Structured logging: one JSON object per line. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** A logger writing JSON lines (`{"time":..,"level":..,"event":..,...}`) to `write` (default: stdout). */
export function createJsonLogger(
  options: { write?: (line: string) => void; now?: () => number } = {},
): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const log = (level: 'info' | 'error', event: string, fields: LogFields = {}) =>
    write(JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields }));
  return {
    info: (event, fields) => log('info', event, fields),
    error: (event, fields) => log('error', event, fields),
  };
}

/** A logger that drops everything (for tests that do not look at logs). */
export const silentLogger: Logger = { info: () => {}, error: () => {} };
