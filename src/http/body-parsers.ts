// Request bodies: JSON (as DRF clients send) and HTML-form encoding (which DRF also
// accepted, and which Africa's Talking uses for its callbacks); and query strings,
// read as Django reads them. Both body parsers refuse bytes
// that are not UTF-8 and text PostgreSQL cannot store, instead of letting the
// decoder swap them for U+FFFD or the database answer with an error.
import type { FastifyInstance } from 'fastify';
import { validationError, type FieldErrors } from '../core/errors.ts';

/** A 400 that names what was wrong with the body itself. */
class BodyParseError extends Error {
  readonly statusCode = 400;
}

const NOT_UTF8 = 'Enter valid UTF-8 text.';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(body: Buffer, onInvalid: () => Error): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw onInvalid();
  }
}

/**
 * A body parser that decodes the bytes as strict UTF-8, parses them, and refuses
 * text PostgreSQL cannot store, whatever the content type.
 */
function strictTextParser(parse: (text: string) => unknown, notUtf8: () => Error) {
  return (
    _request: unknown,
    body: string | Buffer,
    done: (error: Error | null, body?: unknown) => void,
  ) => {
    try {
      const parsed = parse(decodeUtf8(body as Buffer, notUtf8));
      refuseUnstorableText(parsed);
      done(null, parsed);
    } catch (error) {
      done(error as Error, undefined);
    }
  };
}

/**
 * JSON.parse with two changes: an `amount` number keeps its source text, so money
 * never becomes a float (1.10 stays "1.10", 0.1 + 0.2 never happens); and
 * `__proto__` keys are dropped, so no later object spread can touch a prototype.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text, function (key, value, context) {
      if (key === '__proto__') return undefined;
      if (key === 'amount' && typeof value === 'number') return context.source ?? String(value);
      return value;
    });
  } catch (error) {
    // The reviver recurses: thousands of nested arrays overflow the stack.
    if (error instanceof RangeError)
      throw new BodyParseError('JSON parse error - nested too deeply.');
    throw new BodyParseError(`JSON parse error - ${(error as Error).message}`);
  }
}

/** `a=1&b=%C3%A9` into a null-prototype object; the last of repeated keys wins, as in Django. */
function parseFormBody(text: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null) as Record<string, string>;
  const errors: FieldErrors = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const [rawKey, rawValue] =
      separator === -1 ? [pair, ''] : [pair.slice(0, separator), pair.slice(separator + 1)];
    // decodeURIComponent, unlike URLSearchParams, refuses %-escapes that are not UTF-8.
    const key = decodeFormComponent(rawKey);
    const value = decodeFormComponent(rawValue);
    if (key === undefined) errors.non_field_errors = [NOT_UTF8];
    else if (value === undefined) errors[key] = [NOT_UTF8];
    else form[key] = value;
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return form;
}

function decodeFormComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * Refuses, per top-level field, text that PostgreSQL cannot store: NUL, and lone
 * surrogates (which have no UTF-8 form). Whatever the field, even one the route
 * ignores, so that no later change of route can let it through to a query.
 */
function refuseUnstorableText(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const errors: FieldErrors = {};
  for (const [field, value] of Object.entries(body)) {
    const problem = unstorableText(value);
    if (problem !== undefined) errors[field] = [problem];
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

function unstorableText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'Null characters are not allowed.';
    if (!value.isWellFormed()) return 'Enter valid Unicode text.';
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const inner of Object.values(value)) {
    const problem = unstorableText(inner);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Query strings as Django's QueryDict reads them for `request.GET[name]`: the last of
 * repeated parameters wins (`?page=1&page=2` is page 2), where Fastify's parser would
 * make an array that every schema refuses.
 */
export function parseQueryString(text: string): Record<string, string> {
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) query[key] = value;
  return query;
}

export function registerBodyParsers(app: FastifyInstance): void {
  // A request with no body at all (and so no content type) counts as `{}`, as DRF
  // treated it: then "This field is required." names what is missing.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) {
      request.body = {};
    }
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    strictTextParser(
      parseJsonBody,
      () => new BodyParseError('JSON parse error - the body is not valid UTF-8.'),
    ),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    strictTextParser(parseFormBody, () => validationError({ non_field_errors: [NOT_UTF8] })),
  );
}
