// /tokens: the signed-in user's API tokens, making one (its secret shown once) and
// revoking one. Built on the same service as /api/v1/tokens (auth/tokens.ts), with
// the same rules: tokenGrant for the fields, checkGrantable for what a caller may give.
//
// The secret is shown in the answer to the POST that made it, never through a
// redirect: a flash cookie would carry it through the browser's cookie store, and a
// page fetched later could show it again. The answer is `no-store` (sendPage), so
// the back button cannot bring it back from the cache either.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Identity } from '../auth/authenticate.ts';
import type { TokenCache } from '../auth/token-cache.ts';
import {
  checkGrantable,
  createToken,
  listUserTokens,
  revokeUserToken,
  tokenGrant,
  type TokenRequest,
} from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';
import { validationError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { setFlash } from './flash.ts';
import { formErrorsOf } from './forms.ts';
import { htmlPage, redirect } from './page-responses.ts';
import { sendPage, signedInFrame } from './page-reply.ts';
import { EXPIRY_CHOICES, tokensPage, type TokenFormValues } from './tokens.views.ts';

const tags = ['pages'];
const signIn = redirect('Not signed in: to sign in, and back here after');

// Every field optional and a string: the service's message for a missing or wrong
// one shows next to it, where a schema's refusal could only be a page of its own.
const TokenForm = Type.Object({
  name: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  expiry: Type.Optional(Type.String()),
  expires_at: Type.Optional(Type.String()),
  csrfmiddlewaretoken: Type.Optional(Type.String()),
});

const IdParams = Type.Object({ id: Type.String() });
const RevokeForm = Type.Object({ csrfmiddlewaretoken: Type.Optional(Type.String()) });

function sessionOf(request: FastifyRequest): Identity {
  if (request.identity === undefined) throw new Error('a dashboard page without a session');
  return request.identity;
}

/**
 * The form's choices as the service's request: "never", a lifetime the service
 * knows (`30d`), or a date (midnight UTC at its start, as parseInstant reads one).
 */
export function tokenRequestOf(values: TokenFormValues): TokenRequest {
  const scope = values.scope === 'read' || values.scope === 'write' ? values.scope : undefined;
  if (values.scope !== undefined && scope === undefined) {
    throw validationError({ scope: ['Choose read or write.'] });
  }
  const choice = EXPIRY_CHOICES.find((option) => option.value === (values.expiry ?? 'never'));
  if (choice === undefined) throw validationError({ expiry: ['Choose when it expires.'] });
  const request: TokenRequest = { name: values.name ?? '', scope: scope ?? 'read' };
  if (choice.value === 'date') request.expires_at = values.expires_at?.trim() ?? '';
  else if (choice.lifetime !== undefined) request.expires_in = choice.lifetime;
  return request;
}

export function tokenPages(
  db: Database,
  config: Config,
  tokenCache: TokenCache,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/tokens',
      {
        schema: {
          tags,
          summary: "The signed-in user's API tokens, and the form to make one",
          response: { 200: htmlPage('The tokens (never their secrets) and the form'), 303: signIn },
        },
      },
      async (request, reply) => {
        const tokens = await listUserTokens(db.orm, sessionOf(request).user.id);
        const signedIn = signedInFrame(request, reply, config, 'tokens');
        return sendPage(reply, tokensPage(signedIn, { tokens, publicUrl: config.publicUrl }));
      },
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags,
          summary: 'Make an API token (the form, with its CSRF token): its secret is shown once',
          body: TokenForm,
          response: {
            201: htmlPage(
              'Made: the tokens page with the secret, this once (no-store; never in a redirect or cookie)',
            ),
            303: signIn,
            400: htmlPage('The form again, with what was typed and a message by each wrong field'),
            403: htmlPage('The CSRF token is missing or wrong, or the token would give too much'),
          },
        },
      },
      async (request, reply) => {
        const caller = sessionOf(request);
        const values: TokenFormValues = {
          name: request.body.name,
          scope: request.body.scope,
          expiry: request.body.expiry,
          expires_at: request.body.expires_at,
        };
        try {
          const grant = tokenGrant(tokenRequestOf(values));
          checkGrantable(caller, grant);
          const created = await createToken(db.orm, { userId: caller.user.id, ...grant });
          const tokens = await listUserTokens(db.orm, caller.user.id);
          const signedIn = {
            ...signedInFrame(request, reply, config, 'tokens'),
            flash: `Token “${created.token.name}” made. Copy its secret now: it is shown only this once.`,
          };
          const page = tokensPage(signedIn, { tokens, publicUrl: config.publicUrl, created });
          return sendPage(reply, page, 201);
        } catch (error) {
          const errors = formErrorsOf(error);
          if (errors === undefined) throw error;
          const tokens = await listUserTokens(db.orm, caller.user.id);
          const signedIn = signedInFrame(request, reply, config, 'tokens');
          const page = tokensPage(signedIn, {
            tokens,
            publicUrl: config.publicUrl,
            form: { values, errors },
          });
          return sendPage(reply, page, 400);
        }
      },
    );

    app.post(
      '/tokens/:id/revoke',
      {
        schema: {
          tags,
          summary: 'Revoke one of your API tokens (the form, with its CSRF token), at once',
          params: IdParams,
          body: RevokeForm,
          response: {
            303: redirect(
              'Revoked: back to the tokens, with a message; or, not signed in, to sign in',
            ),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('You have no token with this id (another user’s is not yours)'),
          },
        },
      },
      async (request, reply) => {
        // Another user's token is a 404, as an unknown one (revokeUserToken).
        const token = await revokeUserToken(db.orm, sessionOf(request).user.id, request.params.id, {
          cache: tokenCache,
        });
        setFlash(reply, config, `Token “${token.name}” revoked: it no longer works.`);
        return reply.redirect('/tokens', 303);
      },
    );
  };
}
