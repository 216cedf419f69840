// The home page (the overview once signed in) and the pages' static files, read once
// at start: our own, and htmx from its installed package (no CDN: the
// Content-Security-Policy allows scripts from this site only).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OidcSignIn } from '../auth/oidc.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/client.ts';
import { getOrderStats } from '../orders/orders.stats.ts';
import { overviewPage } from './overview.views.ts';
import { htmlPage } from './page-responses.ts';
import { sendPage, signedInFrame } from './page-reply.ts';
import { homePage } from './pages.ts';

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const STATIC_FILES: readonly { name: string; type: string; file: string }[] = [
  { name: 'app.css', type: 'text/css; charset=utf-8', file: ownFile('app.css') },
  { name: 'app.js', type: JAVASCRIPT, file: ownFile('app.js') },
  { name: 'favicon.svg', type: 'image/svg+xml', file: ownFile('favicon.svg') },
  { name: 'tokens.js', type: JAVASCRIPT, file: ownFile('tokens.js') },
  {
    name: 'htmx.js',
    type: JAVASCRIPT,
    file: fileURLToPath(import.meta.resolve('htmx.org/dist/htmx.min.js')),
  },
];

function ownFile(name: string): string {
  return path.join(import.meta.dirname, 'static', name);
}

export function webRoutes(
  db: Database,
  config: Config,
  oidc: OidcSignIn,
): FastifyPluginAsyncTypebox {
  const files = STATIC_FILES.map((file) => ({ ...file, content: readFileSync(file.file) }));

  return async (app) => {
    app.get(
      '/',
      {
        config: { public: true },
        schema: {
          tags: ['pages'],
          summary: 'Home: sign in; once signed in, the overview',
          response: { 200: htmlPage('The home page, or the overview') },
        },
      },
      async (request, reply) => {
        // Pages are for browsers: an API token signs no one in here.
        if (request.identity?.method === 'session') {
          const signedIn = signedInFrame(request, reply, config, 'overview');
          const stats = await getOrderStats(db.statements);
          return sendPage(reply, overviewPage(signedIn, stats));
        }
        const signIn = { enabled: oidc.enabled, providerName: oidc.providerName };
        return sendPage(reply, homePage({ signIn, publicUrl: config.publicUrl }));
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
