// buildApp is the only way to build the app: the server and every test use it, so
// tests run the production configuration.
import { randomUUID } from 'node:crypto';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { authenticate } from './auth/authenticate.ts';
import { registerBodyParsers } from './body-parsers.ts';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { answerFrameworkError, registerErrorHandler } from './error-handler.ts';
import { healthRoutes } from './health.routes.ts';
import { legacyCustomerRoutes } from './legacy/customers.routes.ts';
import { legacyOrderRoutes } from './legacy/orders.routes.ts';

export interface AppDependencies {
  db: Database;
  logger: FastifyBaseLogger;
}

export const BODY_LIMIT_BYTES = 100 * 1024;

export async function buildApp(config: Config, deps: AppDependencies) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    // The original app answered each path with and without the trailing slash. Ids
    // longer than UUIDs still reach the routes, which explain what a UUID is.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerBodyParsers(app);
  registerErrorHandler(app);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  app.addHook('onRequest', authenticate(deps.db));

  // During shutdown, answers close their keep-alive connection: otherwise a client
  // whose request was in flight keeps an idle socket open and close() waits for it.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('Connection', 'close');
  });

  await app.register(healthRoutes(deps.db));
  await app.register(legacyCustomerRoutes(deps.db));
  await app.register(legacyOrderRoutes(deps.db, config));

  return app;
}
