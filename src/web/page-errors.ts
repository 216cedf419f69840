// Errors of the dashboard's pages, answered as pages: a 404 for an unknown customer
// is an HTML page in the site's look, not the APIs' JSON. Classified as every
// error is (http/error-handler.ts); only the answer differs. Missing credentials
// (401) are no error for a browser: it is sent to sign in.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { AppError } from '../core/errors.ts';
import { classifyError, type ClassifiedError } from '../http/error-handler.ts';
import { rootCauseMessage } from '../db/errors.ts';
import { errorPage } from './pages.ts';
import { sendPage, signedInFrame } from './page-reply.ts';

export function registerPageErrorHandler(
  app: FastifyInstance,
  config: Config,
  signInLocation: (request: FastifyRequest) => string,
): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const classified = classifyError(error, request);
    if (classified.status === 401) return reply.redirect(signInLocation(request), 303);
    if (classified.kind === 'database_unavailable') {
      request.log.warn({ reason: rootCauseMessage(error) }, 'database unavailable');
      void reply.header('Retry-After', classified.retryAfterSeconds);
    } else if (classified.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ statusCode: classified.status, reason: error.message }, 'request refused');
    }
    const { title, message } = wordsFor(classified);
    const signedIn =
      request.identity?.method === 'session'
        ? signedInFrame(request, reply, config, undefined)
        : undefined;
    return sendPage(reply, errorPage(title, message, signedIn), classified.status);
  });
}

/** A page's error in words for the person who met it. */
function wordsFor(error: ClassifiedError): { title: string; message: string } {
  switch (error.status) {
    case 403:
      return error.message.startsWith('CSRF Failed')
        ? {
            title: 'This form has expired',
            message: `Go back, reload the page and try again. (${error.message})`,
          }
        : { title: 'Not allowed', message: error.message };
    case 404:
      return { title: 'Page not found', message: error.message };
    case 429:
      return { title: 'Too many requests', message: error.message };
    case 503:
      return { title: 'Temporarily unavailable', message: error.message };
    case 500:
      return {
        title: 'Something went wrong',
        message:
          'A server error occurred. Try again; if it keeps happening, tell whoever runs this service.',
      };
    default:
      return {
        title: 'This page could not be shown',
        message:
          error.kind === 'schema_validation'
            ? 'The address has a value this page does not understand. Start again from the menu.'
            : error.message,
      };
  }
}

/**
 * The 404 page, for a browser that asks for a page at a path nothing serves (its
 * Accept names HTML, and the path is not the APIs'); undefined for anyone else.
 */
export function notFoundPage(request: FastifyRequest, reply: FastifyReply, config: Config) {
  const browser =
    !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
  if (!browser) return undefined;
  const signedIn =
    request.identity?.method === 'session'
      ? signedInFrame(request, reply, config, undefined)
      : undefined;
  const page = errorPage('Page not found', 'There is nothing at this address.', signedIn);
  return sendPage(reply, page, 404);
}
