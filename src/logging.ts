import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The logger is created once at the edge (CLI, server) and injected everywhere else.
 * Logs go to stderr so that stdout stays clean for --json output.
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? 'info';
  if (options.pretty) {
    return pino(
      { level },
      pino.transport({ target: 'pino-pretty', options: { destination: 2, colorize: true } }),
    );
  }
  return pino({ level }, pino.destination(2));
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
