// The staff dashboard's pages, in one plugin whose hooks and error handler apply to
// them alone: nothing here runs for an API request.
//
// Page routes are not `public`, so authenticate() (auth/authenticate.ts) checks the
// session and, on POST, the CSRF token, as for any other route. Without a session
// the 401 becomes a redirect to sign in (page-errors.ts), and an API token is sent
// there too: pages are for browsers, and a token holder has no use for a form.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { OidcSignIn } from '../auth/oidc.ts';
import type { TokenCache } from '../auth/token-cache.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/client.ts';
import type { OrderSettings } from '../orders/orders.service.ts';
import { customerPages } from './customers.pages.ts';
import { orderPages } from './orders.pages.ts';
import { registerPageErrorHandler } from './page-errors.ts';
import { tokenPages } from './tokens.pages.ts';

export function dashboardRoutes(
  db: Database,
  config: Config,
  oidc: OidcSignIn,
  { orderSettings, tokenCache }: { orderSettings: OrderSettings; tokenCache: TokenCache },
): FastifyPluginAsyncTypebox {
  // Back to the page asked for once signed in; /auth/login accepts paths of this
  // site only (safeNextPath). A form posted without a session returns to its page.
  const signInLocation = (request: FastifyRequest) => {
    if (!oidc.enabled) return '/';
    const next = request.method === 'GET' ? request.url : (request.routeOptions.url ?? '/');
    return `/auth/login?next=${encodeURIComponent(next)}`;
  };

  return async (app) => {
    registerPageErrorHandler(app, config, signInLocation);
    app.addHook('preValidation', async (request, reply) => {
      if (request.identity?.method !== 'session') {
        return reply.redirect(signInLocation(request), 303);
      }
    });
    await app.register(customerPages(db, config, orderSettings));
    await app.register(orderPages(db, config, orderSettings));
    await app.register(tokenPages(db, config, tokenCache));
  };
}
