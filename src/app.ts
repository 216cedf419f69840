// buildApp is the only way to build the app: the server and every test use it, so
// tests run the production configuration.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { authenticate } from './auth/authenticate.ts';
import { OidcSignIn } from './auth/oidc.ts';
import { TokenCache } from './auth/token-cache.ts';
import { TokenChangeListener } from './auth/token-changes.ts';
import { parseQueryString, registerBodyParsers } from './http/body-parsers.ts';
import type { Config } from './config/config.ts';
import type { Database } from './db/client.ts';
import {
  answerClientError,
  answerFrameworkError,
  registerErrorHandler,
} from './http/error-handler.ts';
import { securityHeaders } from './http/security-headers.ts';
import { healthRoutes } from './http/health.routes.ts';
import { registerOpenApi } from './http/openapi.ts';
import { legacyCustomerRoutes } from './api/legacy/customers.routes.ts';
import { trackRouteMethods } from './api/legacy/allowed-methods.ts';
import { renderDrfError } from './api/legacy/drf-errors.ts';
import { LEGACY_SHARED_SCHEMAS } from './api/legacy/legacy.schemas.ts';
import { legacyOrderRoutes } from './api/legacy/orders.routes.ts';
import { legacyTokenRoutes } from './api/legacy/token.routes.ts';
import { v1Routes } from './api/v1/index.ts';
import { registerAllowedHosts } from './http/allowed-hosts.ts';
import { registerRateLimits } from './http/rate-limits.ts';
import { smsWakeUp } from './sms/wake-up.ts';
import { smsWebhookRoutes } from './api/webhooks/africastalking.routes.ts';
import { dashboardRoutes } from './web/dashboard.ts';
import { docsRoutes } from './web/docs.routes.ts';
import { notFoundPage } from './web/page-errors.ts';
import { signInRoutes } from './web/sign-in.routes.ts';
import { webRoutes } from './web/web.routes.ts';

export interface AppDependencies {
  db: Database;
  logger: FastifyBaseLogger;
  /** A new one by default; tests pass their own to watch it. */
  tokenCache?: TokenCache;
}

export const BODY_LIMIT_BYTES = 100 * 1024;

export async function buildApp(config: Config, deps: AppDependencies) {
  if (config.sessionSecret === undefined) {
    throw new Error(
      'SESSION_SECRET must be resolved before building the app (see withSessionSecret)',
    );
  }
  const oidc = new OidcSignIn(config);
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Node's default is none: a client that stops half-way through its body would hold
    // its connection (and delay every shutdown) for ever.
    requestTimeout: config.requestTimeoutMs,
    http: {
      // Node enforces requestTimeout only when headersTimeout is no longer (its
      // default is 60 s), and checks every connectionsCheckingInterval (30 s).
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(5000, config.requestTimeoutMs),
    },
    trustProxy: trustedProxies(config.trustProxy),
    genReqId: () => randomUUID(),
    logController: new OneLinePerRequest(),
    // The original app answered each path with and without the trailing slash. Ids
    // longer than UUIDs still reach the routes, which explain what a UUID is.
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 1000,
      querystringParser: parseQueryString,
    },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerBodyParsers(app);
  // Until an API registers its own, errors and unknown paths answer in the original
  // API's shape, as they always have.
  registerErrorHandler(app, renderDrfError);
  // A browser that follows a wrong link gets a page; every API client, as before, JSON.
  app.setNotFoundHandler(
    (request, reply) =>
      notFoundPage(request, reply, config) ?? reply.code(404).send({ detail: 'Not found.' }),
  );

  await app.register(cookie, { secret: config.sessionSecret });
  const headers = securityHeaders(config);
  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(headers).header('X-Request-Id', request.id);
  });
  registerAllowedHosts(app, config.allowedHosts);
  const rateLimits = await registerRateLimits(app, config.rateLimits);
  const tokenCache = deps.tokenCache ?? new TokenCache();
  app.addHook('preValidation', authenticate(deps.db, config, rateLimits, tokenCache));

  // During shutdown, answers close their keep-alive connection: otherwise a client
  // whose request was in flight keeps an idle socket open and close() waits for it.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('Connection', 'close');
  });

  // Before every route: the document lists the routes added after it.
  await registerOpenApi(app, config);
  for (const schema of LEGACY_SHARED_SCHEMAS) app.addSchema(schema);

  const addAllowedMethodRoutes = trackRouteMethods(
    app,
    (url) => url.startsWith('/api/') && !url.startsWith('/api/v1/'),
  );
  const orderSettings = {
    currency: config.defaultCurrency,
    smsTemplate: config.sms.template,
    wakeSmsWorkers: smsWakeUp(deps.db.pool, deps.logger),
  };
  await app.register(healthRoutes(deps.db));
  await app.register(webRoutes(deps.db, config, oidc));
  await app.register(dashboardRoutes(deps.db, config, oidc, { orderSettings, tokenCache }));
  await app.register(docsRoutes());
  await app.register(signInRoutes(deps.db, config, oidc));
  await app.register(smsWebhookRoutes(deps.db, config));
  await app.register(legacyCustomerRoutes(deps.db, config));
  await app.register(legacyOrderRoutes(deps.db, config, orderSettings));
  await app.register(legacyTokenRoutes(deps.db));
  await app.register(v1Routes(deps.db, config, orderSettings, tokenCache), { prefix: '/api/v1' });

  addAllowedMethodRoutes();

  // Last, so that nothing after it can fail and leave its connection open. Until it
  // listens, token lookups go to the database.
  const tokenChanges = new TokenChangeListener({
    databaseUrl: deps.db.url,
    cache: tokenCache,
    logger: deps.logger,
  });
  app.addHook('onClose', () => tokenChanges.close());
  tokenChanges.start();

  return app;
}

/**
 * One log line per request, when it has been answered: what was asked, the status and
 * how long it took. Fastify's "incoming request" line doubled the lines and writes: at
 * LOG_LEVEL=info, logging was 10–20 % of the CPU time of a read by id (view-order:
 * 320–330 µs a request at warn, 350–400 at info).
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}

/** Fastify's form of TRUST_PROXY: a number of hops counts from our side. */
function trustedProxies(setting: Config['trustProxy']) {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return setting === false ? false : [...setting];
}
