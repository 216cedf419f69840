// Request bodies: JSON (as DRF clients send) and HTML-form encoding (which DRF also
// accepted, and which Africa's Talking uses for its callbacks).
import type { FastifyInstance } from 'fastify';

/** A 400 that names what was wrong with the body itself. */
class BodyParseError extends Error {
  readonly statusCode = 400;
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
    throw new BodyParseError(`JSON parse error - ${(error as Error).message}`);
  }
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
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const form: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [key, value] of new URLSearchParams(body as string)) form[key] = value;
      done(null, form);
    },
  );
}
