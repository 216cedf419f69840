// /api/v1/tokens and /api/v1/me: who is calling, and the caller's own API tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Identity } from '../../auth/authenticate.ts';
import type { TokenCache } from '../../auth/token-cache.ts';
import {
  checkGrantable,
  createToken,
  getUserToken,
  listUserTokens,
  revokeUserToken,
  tokenGrant,
} from '../../auth/tokens.ts';
import type { Database } from '../../db/client.ts';
import type { ApiTokenRow } from '../../db/schema.ts';
import {
  IdParams,
  LocationHeader,
  Nullable,
  problems,
  StringEnum,
  Timestamp,
  withHeaders,
} from './schemas.ts';

const Scope = StringEnum(['read', 'write'], {
  description: '`read` may only use GET; `write` may do anything its user may',
});

export const TokenSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  scope: Scope,
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
});

const NewTokenSchema = Type.Object({
  ...TokenSchema.properties,
  key: Type.String({
    description: 'The secret, for `Authorization: Token <key>`: shown only this once',
    examples: ['co_q0Hc7m0f1pYQbW5xJ2vLr8sT4uV6wX9yZ1aB3cD5eF7'],
  }),
});

const TokenBody = Type.Object(
  {
    name: Type.String({
      description: '1–100 characters after trimming, to recognise the token by',
      examples: ['laptop'],
    }),
    scope: Type.Optional(
      StringEnum(['read', 'write'], {
        description: '`write` by default; never wider than the caller’s',
      }),
    ),
    expires_in: Type.Optional(
      Type.String({
        description:
          'A lifetime from now: 90m, 12h, 30d, 2w. Without it (or expires_at) the token never expires',
        examples: ['30d'],
      }),
    ),
    expires_at: Type.Optional(
      Type.String({
        description:
          'An instant in the future, ISO 8601 with its time zone; not with expires_in. A token that expires may only make tokens that expire no later',
        examples: ['2026-12-31T00:00:00Z'],
      }),
    ),
  },
  { additionalProperties: false },
);

const MeSchema = Type.Object({
  user: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    name: Nullable(Type.String()),
    role: StringEnum(['admin', 'staff']),
  }),
  auth: Type.Object({
    method: StringEnum(['token', 'session'], {
      description: 'An API token, or a browser session',
    }),
    scope: Scope,
    token_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'With a token: the token’s id' }),
    ),
    expires_at: Type.Optional(
      Nullable({
        ...Timestamp,
        description:
          'When the token, or the session (renewed on use), expires; null for a token that never does',
      }),
    ),
  }),
});

const NoQuery = Type.Object({}, { additionalProperties: false });

export function v1Token(token: ApiTokenRow) {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    created_at: token.createdAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    expires_at: token.expiresAt?.toISOString() ?? null,
    revoked_at: token.revokedAt?.toISOString() ?? null,
  };
}

function v1Me(identity: Identity) {
  const { user } = identity;
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    auth:
      identity.method === 'token'
        ? {
            method: identity.method,
            scope: identity.scope,
            token_id: identity.tokenId,
            expires_at: identity.expiresAt?.toISOString() ?? null,
          }
        : // A session's id is its secret: only its expiry is shown.
          {
            method: identity.method,
            scope: identity.scope,
            expires_at: identity.sessionExpiresAt.toISOString(),
          },
  };
}

/** Who is calling: every route here is authenticated, so someone is. */
function callerOf(request: FastifyRequest): Identity {
  if (request.identity === undefined) {
    throw new Error('authenticate() lets no anonymous request through');
  }
  return request.identity;
}

export function v1TokenRoutes(db: Database, tokenCache: TokenCache): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/me',
      {
        schema: {
          tags: ['me'],
          summary: 'Who is calling: the user, and the credentials used',
          querystring: NoQuery,
          response: { 200: MeSchema, ...problems(400, 401, 429, 503) },
        },
      },
      async (request) => v1Me(callerOf(request)),
    );

    const tags = ['tokens'];

    app.get(
      '/tokens',
      {
        schema: {
          tags,
          summary: 'The caller’s API tokens, revoked and expired ones too (never their secrets)',
          querystring: NoQuery,
          response: {
            200: Type.Object({ results: Type.Array(TokenSchema) }),
            ...problems(400, 401, 429, 503),
          },
        },
      },
      async (request) => ({
        results: (await listUserTokens(db.orm, callerOf(request).user.id)).map(v1Token),
      }),
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags,
          summary:
            'Make an API token for the caller, its secret shown once; never more scope or a later expiry than the caller has',
          body: TokenBody,
          response: {
            201: withHeaders(NewTokenSchema, LocationHeader),
            ...problems(400, 401, 403, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const grant = tokenGrant(request.body);
        checkGrantable(caller, grant);
        const { token, key } = await createToken(db.orm, { userId: caller.user.id, ...grant });
        return reply
          .code(201)
          .header('Location', `/api/v1/tokens/${token.id}`)
          .header('Cache-Control', 'no-store')
          .send({ ...v1Token(token), key });
      },
    );

    app.get(
      '/tokens/:id',
      {
        schema: {
          tags,
          summary: 'One of the caller’s tokens (never its secret)',
          params: IdParams,
          response: { 200: TokenSchema, ...problems(401, 404, 429, 503) },
        },
      },
      async (request) =>
        v1Token(await getUserToken(db.orm, callerOf(request).user.id, request.params.id)),
    );

    app.delete(
      '/tokens/:id',
      {
        schema: {
          tags,
          summary: 'Revoke one of the caller’s tokens, at once, on every server',
          params: IdParams,
          response: { 204: Type.Null(), ...problems(401, 403, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        await revokeUserToken(db.orm, callerOf(request).user.id, request.params.id, {
          cache: tokenCache,
        });
        return reply.code(204).send(null);
      },
    );
  };
}
