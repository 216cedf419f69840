// The original app's GET /api/token/: a new API token for the signed-in browser user.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { checkGrantable, createToken } from '../../auth/tokens.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../db/client.ts';
import { DrfDetailSchema, drfAnswer, LEGACY_AUTHENTICATED_ERRORS } from './legacy.schemas.ts';

export function legacyTokenRoutes(db: Database): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/token',
      {
        // Each call makes a token: a HEAD must not.
        exposeHeadRoute: false,
        schema: {
          tags: ['original API: tokens'],
          summary:
            'A new API token (write scope) for the signed-in user, shown once; browser sessions only',
          // A browser session only: an API token may not make tokens.
          security: [{ sessionCookie: [] }],
          response: {
            200: Type.Object(
              { token: Type.String() },
              { examples: [{ token: 'co_q0Hc7m0f1pYQbW5xJ2vLr8sT4uV6wX9yZ1aB3cD5eF7' }] },
            ),
            403: drfAnswer(
              'Called with an API token: tokens are handed out to browser sessions only',
              [DrfDetailSchema],
            ),
            ...LEGACY_AUTHENTICATED_ERRORS,
          },
        },
      },
      async (request, reply) => {
        const identity = request.identity;
        if (identity === undefined)
          throw new Error('authenticate() lets no anonymous request through');
        // The original's page for people: a token minting tokens would let a read-only
        // or expiring token turn itself into a permanent write token.
        if (identity.method !== 'session') {
          throw new AppError(
            'permission_denied',
            'Tokens are handed out here only to a signed-in browser session; an API token cannot make tokens.',
          );
        }
        const grant = { scope: 'write', expiresAt: undefined } as const;
        checkGrantable(identity, grant);
        const { key } = await createToken(db.orm, {
          userId: identity.user.id,
          name: tokenName(request),
          ...grant,
        });
        return reply.header('Cache-Control', 'no-store').send({ token: key });
      },
    );
  };
}

/** "browser session, Chrome on Linux, 2026-11-28": enough to recognise it in `token list`. */
function tokenName(request: FastifyRequest): string {
  const agent = request.headers['user-agent'] ?? '';
  const browser = /(Edg|Firefox|Chrome|Safari|curl)\//.exec(agent)?.[1]?.replace('Edg', 'Edge');
  const system = /(Windows|Android|iPhone|iPad|Mac OS X|Linux)/
    .exec(agent)?.[1]
    ?.replace('Mac OS X', 'macOS');
  const parts = [
    'browser session',
    [browser, system].filter(Boolean).join(' on '),
    new Date().toISOString().slice(0, 10),
  ];
  return parts.filter(Boolean).join(', ');
}
