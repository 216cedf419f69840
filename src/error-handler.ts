// One place turns every error into an answer: services throw AppError, Fastify
// throws its own (bad content type, body too large, schema validation), anything
// else is a bug and becomes a 500 whose details stay in the log.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, rootCauseMessage } from './db/errors.ts';
import { AppError, type FieldErrors } from './errors.ts';

interface Answer {
  statusCode: number;
  body: unknown;
}

// Long enough for a restarting PostgreSQL to come back, short enough not to matter.
const DATABASE_RETRY_AFTER_SECONDS = 5;

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ reason: rootCauseMessage(error) }, 'database unavailable');
      return reply
        .code(503)
        .header('Retry-After', DATABASE_RETRY_AFTER_SECONDS)
        .type('application/json; charset=utf-8')
        .send({ detail: 'The database is temporarily unavailable; try again in a few seconds.' });
    }
    const answer = toAnswer(error, request);
    if (answer.statusCode >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ statusCode: answer.statusCode, reason: error.message }, 'request refused');
    }
    if (answer.statusCode === 401) void reply.header('WWW-Authenticate', 'Token');
    return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(answer.body);
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not found.' }));
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

/** The original API's error bodies, as Django REST Framework wrote them. */
function toAnswer(error: FastifyError | AppError, request: FastifyRequest): Answer {
  if (error instanceof AppError) return appErrorAnswer(error);
  if (error.validation !== undefined) {
    return { statusCode: 400, body: schemaErrorFields(error, request) };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        statusCode: 415,
        body: {
          detail: `Unsupported media type "${request.headers['content-type'] ?? ''}" in request.`,
        },
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { statusCode: 413, body: { detail: 'Request body is larger than 100 KB.' } };
  }
  const statusCode = error.statusCode ?? 500;
  if (statusCode >= 400 && statusCode < 500) return { statusCode, body: { detail: error.message } };
  return { statusCode: 500, body: { detail: 'A server error occurred.' } };
}

function appErrorAnswer(error: AppError): Answer {
  switch (error.kind) {
    case 'validation_failed':
      return { statusCode: error.statusCode, body: error.fields ?? {} };
    case 'customer_not_found':
    case 'order_not_found':
    case 'invalid_uuid':
      return { statusCode: error.statusCode, body: { error: error.message } };
    case 'missing_lookup':
      // The original answered with a bare JSON string here (Fastify would send a
      // string payload unquoted, so it is encoded here).
      return { statusCode: error.statusCode, body: JSON.stringify(error.message) };
    default:
      return { statusCode: error.statusCode, body: { detail: error.message } };
  }
}

const JSON_TYPE_NAMES: Record<string, string> = {
  object: 'dict',
  array: 'list',
  string: 'str',
  number: 'int',
  boolean: 'bool',
  null: 'NoneType',
};

/** Schema validation errors as DRF's per-field messages: `{"name": ["This field is required."]}`. */
function schemaErrorFields(error: FastifyError, request: FastifyRequest): FieldErrors {
  const part = error.validationContext ?? 'body';
  const data: unknown =
    part === 'body' ? request.body : part === 'querystring' ? request.query : request.params;
  const fields: FieldErrors = {};
  const add = (field: string, message: string) => {
    fields[field] ??= [message];
  };
  const numberFields = new Set<string>();
  for (const issue of error.validation ?? []) {
    const field = issue.instancePath.split('/')[1];
    if (field === undefined) {
      if (issue.keyword === 'required') {
        const present = typeof data === 'object' && data !== null ? data : {};
        for (const name of (issue.params as { requiredProperties?: string[] }).requiredProperties ??
          []) {
          if (!(name in present)) add(name, 'This field is required.');
        }
      } else if (issue.keyword === 'type') {
        add('non_field_errors', `Invalid data. Expected a dictionary, but got ${typeName(data)}.`);
      } else {
        add('non_field_errors', issue.message ?? 'Invalid data.');
      }
      continue;
    }
    const value = (data as Record<string, unknown>)[field];
    if (value === null) add(field, 'This field may not be null.');
    else if (issue.keyword === 'anyOf') {
      // A union that takes a number (amount: a number or a decimal string) says so;
      // others (a string or null) keep the message of their first alternative.
      if (numberFields.has(field)) fields[field] = ['A valid number is required.'];
    } else if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'number') {
      numberFields.add(field);
    } else if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'string') {
      add(field, 'Not a valid string.');
    } else if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'boolean') {
      add(field, 'Must be a valid boolean.');
    } else add(field, issue.message ?? 'Invalid value.');
  }
  return fields;
}

function typeName(value: unknown): string {
  const name = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return JSON_TYPE_NAMES[name] ?? name;
}
