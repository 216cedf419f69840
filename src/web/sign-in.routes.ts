// Sign-in and out in the browser (OpenID Connect).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/client.ts';
import { perAddress } from '../http/rate-limits.ts';
import { cookieOptions, csrfToken } from '../auth/authenticate.ts';
import { CSRF_COOKIE, csrfFailure } from '../auth/csrf.ts';
import { OidcSignIn, safeNextPath, SignInError } from '../auth/oidc.ts';
import { createSession, endSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { findOrCreateOidcUser } from '../auth/users.ts';
import { htmlPage, redirect } from './page-responses.ts';
import { errorPage } from './pages.ts';

// Holds the OAuth state between /auth/login and /auth/callback; signed, so only we set it.
const LOGIN_COOKIE = 'co_login';

export function signInRoutes(
  db: Database,
  config: Config,
  oidc: OidcSignIn,
): FastifyPluginAsyncTypebox {
  const cookies = cookieOptions(config);
  const loginRateLimit = perAddress(config.rateLimits.login);

  const refuse = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (!(error instanceof SignInError)) throw error;
    request.log.warn({ err: error.cause ?? error, reason: error.message }, 'sign-in refused');
    void reply.clearCookie(LOGIN_COOKIE, { ...cookies, path: '/auth' });
    return reply
      .code(error.status)
      .type('text/html; charset=utf-8')
      .send(errorPage('Sign-in failed', error.message));
  };

  return async (app) => {
    app.get(
      '/auth/login',
      {
        config: { public: true, rateLimit: loginRateLimit },
        schema: {
          tags: ['sign-in'],
          summary: 'Start signing in with the OpenID Connect provider (redirects to it)',
          querystring: Type.Object({
            next: Type.Optional(Type.String({ description: 'A path on this site to return to' })),
          }),
          response: {
            302: redirect("To the provider's sign-in page"),
            429: {
              description:
                'Too many sign-ins from this address (RATE_LIMIT_LOGIN): see Retry-After',
              content: {
                'application/json': {
                  schema: Type.Object({ detail: Type.String() }),
                  example: { detail: 'Request was throttled. Expected available in 42 seconds.' },
                },
              },
            },
            502: htmlPage('The provider could not be reached'),
            503: htmlPage('Sign-in is not configured on this server'),
          },
        },
      },
      async (request, reply) => {
        try {
          const { url, state } = await oidc.start(
            db.orm,
            safeNextPath(request.query.next, config.publicUrl),
          );
          void reply.setCookie(LOGIN_COOKIE, state, {
            ...cookies,
            path: '/auth',
            httpOnly: true,
            signed: true,
            maxAge: 600,
          });
          return await reply.redirect(url.href, 302);
        } catch (error) {
          return refuse(request, reply, error);
        }
      },
    );

    app.get(
      '/auth/callback',
      {
        config: { public: true, rateLimit: loginRateLimit },
        schema: {
          tags: ['sign-in'],
          summary: 'Where the OpenID Connect provider sends the browser back',
          response: {
            302: redirect('Signed in: back to the page sign-in started from'),
            400: htmlPage('Sign-in refused: an expired, reused or forged attempt'),
            403: htmlPage(
              'Sign-in refused: an unverified email, one not allowed here, or a disabled account',
            ),
            409: htmlPage('Sign-in refused: the email belongs to another account here'),
            502: htmlPage('The provider could not be reached'),
            503: htmlPage('Sign-in is not configured on this server'),
          },
        },
      },
      async (request, reply) => {
        try {
          const signedState = request.cookies[LOGIN_COOKIE];
          const unsigned =
            signedState === undefined ? undefined : request.unsignCookie(signedState);
          const callbackUrl = new URL(request.url, config.publicUrl);
          const identity = await oidc.finish(
            db.orm,
            callbackUrl,
            unsigned?.valid ? (unsigned.value ?? undefined) : undefined,
          );
          const user = await findOrCreateOidcUser(db.orm, identity);
          if (user === undefined) {
            throw new SignInError(
              409,
              `${identity.email} already belongs to another account here.`,
            );
          }
          if (user.disabledAt !== null) {
            throw new SignInError(403, `The account of ${user.email} is disabled here.`);
          }
          // A new session id at every sign-in: an id planted before sign-in is worthless.
          const previous = request.cookies[SESSION_COOKIE];
          if (previous !== undefined) await endSession(db.orm, previous);
          const session = await createSession(db.orm, {
            userId: user.id,
            userAgent: request.headers['user-agent'],
            policy: config.session,
          });
          request.log.info({ userId: user.id }, 'signed in');
          csrfToken(request, reply, config, true); // Django rotates the CSRF token at sign-in too
          return await reply
            .clearCookie(LOGIN_COOKIE, { ...cookies, path: '/auth' })
            .setCookie(SESSION_COOKIE, session.id, {
              ...cookies,
              httpOnly: true,
              expires: session.expiresAt,
            })
            .redirect(identity.nextPath, 302);
        } catch (error) {
          return refuse(request, reply, error);
        }
      },
    );

    app.post(
      '/auth/logout',
      {
        // Public so that an already expired session still gets a clean sign-out;
        // a live one must pass the CSRF check (the form carries the token).
        config: { public: true },
        schema: {
          tags: ['sign-in'],
          summary: 'End the session (needs the CSRF token, as a form field or header)',
          response: {
            303: redirect('Signed out: to the home page'),
            403: htmlPage('The CSRF token is missing or wrong'),
          },
        },
      },
      async (request, reply) => {
        if (request.identity?.method === 'session') {
          const failure = csrfFailure(request, config.publicUrl);
          if (failure !== undefined) {
            return reply
              .code(403)
              .type('text/html; charset=utf-8')
              .send(errorPage('Sign-out refused', `CSRF Failed: ${failure}`));
          }
          await endSession(db.orm, request.identity.sessionId);
        }
        // Without a session cookie there is nothing to end: a cross-site form cannot
        // clear this browser's cookies through us.
        if (request.cookies[SESSION_COOKIE] === undefined) return reply.redirect('/', 303);
        return reply
          .clearCookie(SESSION_COOKIE, cookies)
          .clearCookie(CSRF_COOKIE, cookies)
          .redirect('/', 303);
      },
    );
  };
}
