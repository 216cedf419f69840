import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.ts';

// Query parameters that carry secrets: the delivery webhook's secret, and the OAuth
// code and state on the sign-in callback.
const SECRET_PARAMETERS = /([?&](?:secret|code|state)=)[^&#]*/g;

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
      serializers: { req: serializeRequest },
    },
    pino.destination(destination),
  );
}

/** Fastify's request fields, with secrets in the query string masked. */
function serializeRequest(request: IncomingMessage & { ip?: string; host?: string }) {
  return {
    method: request.method,
    url: request.url?.replace(SECRET_PARAMETERS, '$1[redacted]'),
    host: request.host,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  };
}
