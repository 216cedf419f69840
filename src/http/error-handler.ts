// One place turns every error into an answer. Classification is shared: services
// throw AppError, Fastify throws its own (bad content type, body too large, schema
// validation), PostgreSQL may be out of reach (503), and anything else is a bug (a
// 500 whose details stay in the log). How the answer's body looks is each API's
// business: registerErrorHandler takes its renderer, inside that API's plugin.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { AppError, type ErrorKind, type FieldErrors } from '../core/errors.ts';
import { isDatabaseUnavailable, rootCauseMessage } from '../db/errors.ts';

/** What went wrong, whatever API answers it. */
export type ClassifiedError =
  | { kind: ErrorKind; status: number; message: string; fields?: FieldErrors | undefined }
  | { kind: 'database_unavailable'; status: 503; message: string; retryAfterSeconds: number }
  | {
      kind: 'schema_validation';
      status: 400;
      message: string;
      issues: FastifySchemaValidationError[];
      /** Which part of the request the schema checked, and its value. */
      part: string;
      checked: unknown;
    }
  | {
      kind: 'unsupported_media_type' | 'body_too_large' | 'bad_request';
      status: number;
      message: string;
    }
  | { kind: 'internal'; status: 500; message: string };

/** An API's way of writing an error: the body, its media type, and a status if not the class's. */
export type ErrorRenderer = (
  error: ClassifiedError,
  request: FastifyRequest,
) => { status?: number; contentType: string; body: unknown };

// Long enough for a restarting PostgreSQL to come back, short enough not to matter.
const DATABASE_RETRY_AFTER_SECONDS = 5;

export function classifyError(
  error: FastifyError | AppError,
  request: FastifyRequest,
): ClassifiedError {
  if (isDatabaseUnavailable(error)) {
    return {
      kind: 'database_unavailable',
      status: 503,
      message: 'The database is temporarily unavailable; try again in a few seconds.',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  if (error instanceof AppError) {
    return {
      kind: error.kind,
      status: error.statusCode,
      message: error.message,
      fields: error.fields,
    };
  }
  if (error.validation !== undefined) {
    const part = error.validationContext ?? 'body';
    return {
      kind: 'schema_validation',
      status: 400,
      message: 'The request does not match its schema.',
      issues: error.validation,
      part,
      checked:
        part === 'body' ? request.body : part === 'querystring' ? request.query : request.params,
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        kind: 'unsupported_media_type',
        status: 415,
        message: `Unsupported media type "${request.headers['content-type'] ?? ''}" in request.`,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        kind: 'body_too_large',
        status: 413,
        message: 'Request body is larger than 100 KB.',
      };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { kind: 'bad_request', status, message: error.message };
  return { kind: 'internal', status: 500, message: 'A server error occurred.' };
}

/** Answers every error of `app`'s routes (and its child plugins') with `render`. */
export function registerErrorHandler(app: FastifyInstance, render: ErrorRenderer): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const classified = classifyError(error, request);
    if (classified.kind === 'database_unavailable') {
      request.log.warn({ reason: rootCauseMessage(error) }, 'database unavailable');
      void reply.header('Retry-After', classified.retryAfterSeconds);
    } else if (classified.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ statusCode: classified.status, reason: error.message }, 'request refused');
    }
    if (classified.status === 401) void reply.header('WWW-Authenticate', 'Token');
    const { status = classified.status, contentType, body } = render(classified, request);
    // Encoded here, not by Fastify: it would encode the body through the route's
    // response schema for this status, which documents the answer and must not
    // reshape it (a schema drops what it does not name). A string is already encoded.
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    return reply.code(status).type(contentType).send(payload);
  });
}

/**
 * Errors Fastify's router raises before any hook runs (an undecodable URL, a path
 * parameter past maxParamLength): same shape as every other answer, and an id.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  request.log.info({ reason: error.message }, 'request refused');
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply
    .code(tooLong ? 414 : 400)
    .header('X-Request-Id', request.id)
    .send({ detail: tooLong ? 'A part of the URL is too long.' : 'Malformed URL.' });
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers over 16 KB,
 * a malformed header or request line, a client too slow to send its headers): the
 * API's shape too, written on the socket, which is then closed as Node would.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request header fields too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive.']
        : [400, 'Malformed request.'];
  const body = JSON.stringify({ detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
