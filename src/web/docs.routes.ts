// The interactive API reference at /docs: Swagger UI, served from the installed
// package by @fastify/swagger-ui, on the document that http/openapi.ts generates.
// Its page loads every script and stylesheet as a file of its own (no inline script
// or style), so it works under the site's Content-Security-Policy as it is.
//
// (Scalar's reference looks better, but its bundle adds its styles as a <style>
// element, which `style-src 'self'` refuses without a nonce, and fetches its fonts
// from Scalar's servers.)
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import { htmlPage } from './page-responses.ts';

const DOCS_PATH = '/docs';

export function docsRoutes(): FastifyPluginAsync {
  return async (app) => {
    // The plugin's routes (the page, its files, a copy of the document) take no route
    // options of ours: they are made public here. The page itself is listed in the
    // document; its files are not.
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
      if (route.url === DOCS_PATH && route.method === 'GET') {
        route.schema = {
          tags: ['documentation'],
          summary: 'This reference, to read and try (Swagger UI)',
          response: { 200: htmlPage('The reference') },
        };
      }
    });
    await app.register(swaggerUi, {
      routePrefix: DOCS_PATH,
      theme: { title: 'customer-orders: API reference' },
      uiConfig: {
        // Without the standalone layout's top bar, whose Swagger logo carries a
        // <style> element that the policy (rightly) refuses.
        layout: 'BaseLayout',
        deepLinking: true,
        displayRequestDuration: true,
        defaultModelsExpandDepth: 0,
      },
    });
  };
}
