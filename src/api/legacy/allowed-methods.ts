// What DRF answered on a known path for the methods its view lacks: OPTIONS is 200
// with the view's metadata, any other method 405 ("Method \"GET\" not allowed."); both
// with an Allow header naming the view's methods and OPTIONS. Fastify would answer
// 404. Authentication still comes first, as in DRF. The OPTIONS answers are in the
// OpenAPI document; the 405s are not.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { LEGACY_AUTHENTICATED_ERRORS } from './legacy.schemas.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

interface TrackedRoute {
  methods: Set<string>;
  summary: string | undefined;
}

// Its keys in DRF's order, which is the order Fastify writes them in.
const MetadataSchema = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    renders: Type.Array(Type.String()),
    parses: Type.Array(Type.String()),
  },
  {
    description: "DRF's metadata of the view, with an `Allow` header naming its methods",
    examples: [
      {
        name: 'Get Customers',
        description: 'List customers, 10 a page, oldest first',
        renders: ['application/json'],
        parses: ['application/json', 'application/x-www-form-urlencoded'],
      },
    ],
  },
);

/** Collects the methods of each route whose path `matches`, as routes are added. */
export function trackRouteMethods(app: FastifyInstance, matches: (url: string) => boolean) {
  const routesByUrl = new Map<string, TrackedRoute>();
  app.addHook('onRoute', (route) => {
    if (!matches(route.url)) return;
    const tracked = routesByUrl.get(route.url) ?? {
      methods: new Set<string>(),
      summary: undefined,
    };
    for (const method of [route.method].flat()) tracked.methods.add(method);
    tracked.summary ??= route.schema?.summary;
    routesByUrl.set(route.url, tracked);
  });

  /** Adds the OPTIONS and 405 routes: call once, after every tracked route is registered. */
  return function addAllowedMethodRoutes() {
    for (const [url, { methods, summary }] of [...routesByUrl]) {
      // As DRF lists them: the view's own methods and OPTIONS (HEAD is Fastify's extra).
      const allow = [...methods, 'OPTIONS'].filter((method) => method !== 'HEAD').join(', ');
      const metadata = {
        name: viewName(url),
        description: summary ?? '',
        renders: ['application/json'],
        parses: ['application/json', 'application/x-www-form-urlencoded'],
      };
      if (!methods.has('OPTIONS')) {
        app.route({
          method: 'OPTIONS',
          url,
          schema: {
            // Apart from the paths' own tags: seven of them would double those lists.
            tags: ['original API: metadata'],
            summary: "DRF's description of this path",
            response: { 200: MetadataSchema, ...LEGACY_AUTHENTICATED_ERRORS },
          },
          handler: async (_request, reply) => reply.header('Allow', allow).send(metadata),
        });
      }
      // Answers that only say "not here": not in the API's document.
      const missing = METHODS.filter((method) => method !== 'OPTIONS' && !methods.has(method));
      if (missing.length === 0) continue;
      app.route({
        method: missing,
        url,
        schema: { hide: true },
        handler: async (request, reply) =>
          reply
            .header('Allow', allow)
            .code(405)
            .send({ detail: `Method "${request.method}" not allowed.` }),
      });
    }
  };
}

/** DRF's name for a function view, from its path: `/api/get-customers/:id` → "Get Customers". */
function viewName(url: string): string {
  const segment = url
    .split('/')
    .find((part, index) => index > 1 && part !== '' && !part.startsWith(':'));
  return (segment ?? url)
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
