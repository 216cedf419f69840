// A known path of the resource API asked with a method it does not have: 405 with an
// Allow header naming those it has (RFC 9110 §15.5.6), where Fastify would answer
// 404 as if the path did not exist; OPTIONS answers 204 with the same Allow. Neither
// is in the OpenAPI document: they only say what the document already says.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Collects each path's methods as `app`'s routes are added; the returned function adds the rest. */
export function trackAllowedMethods(app: FastifyInstance) {
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    // Paths as this plugin registers them, without its prefix.
    const path = route.url.slice(app.prefix.length);
    const methods = methodsByPath.get(path) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByPath.set(path, methods);
  });

  /** Call once, after every route of `app` is registered. */
  return function addMethodNotAllowedRoutes() {
    for (const [path, methods] of [...methodsByPath]) {
      const allow = [...methods, 'OPTIONS'].join(', ');
      const missing = METHODS.filter((method) => !methods.has(method));
      app.route({
        method: missing,
        url: path,
        schema: { hide: true },
        handler: async (request, reply) => {
          void reply.header('Allow', allow);
          if (request.method === 'OPTIONS') return reply.code(204).send();
          throw new AppError(
            'method_not_allowed',
            `${request.method} is not allowed here; the methods are ${allow}.`,
          );
        },
      });
    }
  };
}
