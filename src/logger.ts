import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/** JSON logs to stdout (or stderr for the CLI, whose stdout is for results). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level: config.logLevel,
      // Credentials must never reach a log line, whoever logs a request or its headers.
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
      ],
    },
    pino.destination(destination),
  );
}
