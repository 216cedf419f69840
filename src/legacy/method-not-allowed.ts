// DRF answered a known path called with another method 405 ("Method \"GET\" not
// allowed.") with an Allow header, where Fastify would answer 404. Every original
// path gets a route for the methods it lacks; authentication still comes first, as in
// DRF.
import type { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Collects the methods of each route whose path `matches`, as routes are added. */
export function trackRouteMethods(app: FastifyInstance, matches: (url: string) => boolean) {
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (!matches(route.url)) return;
    const methods = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByUrl.set(route.url, methods);
  });

  /** Adds the 405 routes: call once, after every tracked route is registered. */
  return function addMethodNotAllowedRoutes() {
    for (const [url, methods] of [...methodsByUrl]) {
      const missing = METHODS.filter((method) => !methods.has(method));
      if (missing.length === 0) continue;
      const allow = [...methods].join(', ');
      app.route({
        method: missing,
        url,
        schema: { hide: true },
        handler: async (request, reply) =>
          reply
            .code(405)
            .header('Allow', allow)
            .send({ detail: `Method "${request.method}" not allowed.` }),
      });
    }
  };
}
