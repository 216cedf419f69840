import { QUERY_TIMEOUT } from './statement-pool.ts';

// PostgreSQL error codes we turn into answers. Drizzle wraps driver errors
// (DrizzleQueryError), so the code may sit on the error or on its cause.
function postgresCode(error: unknown): string | undefined {
  for (let current = error; typeof current === 'object' && current !== null;) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** 23505: a unique constraint refused the row (e.g. a phone number already taken). */
export const isUniqueViolation = (error: unknown) => postgresCode(error) === '23505';

/** 23503: a foreign key refused the row (e.g. its customer was deleted meanwhile). */
export const isForeignKeyViolation = (error: unknown) => postgresCode(error) === '23503';

// Failures to reach PostgreSQL or to get an answer in time, whatever the query:
// connection classes 08 (connection exception) and 53300 (too many connections),
// 57P01–57P03 (the server shutting down or starting), 57014 (statement_timeout).
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57014', '57P01', '57P02', '57P03']);
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// porsager's postgres (the statement pool) reports its own failures with these codes.
const UNAVAILABLE_DRIVER_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  QUERY_TIMEOUT,
]);
// node-postgres reports these without a code.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** Whether the database could not be reached or did not answer in time: a 503, not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code)) return true;
      if (UNAVAILABLE_DRIVER_CODES.has(code)) return true;
      // A socket's own failure (`read ECONNRESET`) carries its syscall; a client
      // hanging up on its request is an ECONNRESET too, but without one.
      const syscall = (current as { syscall?: unknown }).syscall;
      if (UNAVAILABLE_SYSTEM_CODES.has(code) && syscall !== undefined) return true;
    }
    if (UNAVAILABLE_MESSAGES.some((message) => current.message.startsWith(message))) return true;
    // Node reports a refused connection to every address of a host as one AggregateError.
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable))
      return true;
  }
  return false;
}

/** node-postgres gave up waiting for an answer (query_timeout). */
export const isQueryReadTimeout = (error: unknown) =>
  error instanceof Error && error.message === 'Query read timeout';

/** The innermost cause's message: drizzle wraps pg's errors in ones that carry the whole query. */
export function rootCauseMessage(error: unknown): string {
  let root = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  return root instanceof Error ? root.message : String(root);
}
