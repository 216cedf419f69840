// The home page and its two static files, read once at start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { csrfToken } from '../auth/authenticate.ts';
import type { OidcSignIn } from '../auth/oidc.ts';
import type { Config } from '../config/config.ts';
import { htmlPage } from './page-responses.ts';
import { homePage } from './pages.ts';

const STATIC_FILES = {
  'app.css': 'text/css; charset=utf-8',
  'home.js': 'text/javascript; charset=utf-8',
} as const;

export function webRoutes(config: Config, oidc: OidcSignIn): FastifyPluginAsyncTypebox {
  const files = Object.entries(STATIC_FILES).map(([name, type]) => ({
    name,
    type,
    content: readFileSync(path.join(import.meta.dirname, 'static', name)),
  }));

  return async (app) => {
    app.get(
      '/',
      {
        config: { public: true },
        schema: {
          tags: ['pages'],
          summary: 'Home: sign in, or get an API token',
          response: { 200: htmlPage('The home page') },
        },
      },
      async (request, reply) => {
        const html = homePage({
          identity: request.identity,
          csrfToken: request.identity === undefined ? undefined : csrfToken(request, reply, config),
          signIn: { enabled: oidc.enabled, providerName: oidc.providerName },
          publicUrl: config.publicUrl,
        });
        return reply
          .header('Cache-Control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(html);
      },
    );

    for (const file of files) {
      app.get(
        `/static/${file.name}`,
        { config: { public: true, rateLimit: false }, schema: { hide: true } },
        async (_request, reply) =>
          reply.header('Cache-Control', 'public, max-age=3600').type(file.type).send(file.content),
      );
    }
  };
}
