// The resource API under /api/v1: its routes, and its errors as problem details.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenCache } from '../../auth/token-cache.ts';
import type { Config } from '../../config/config.ts';
import type { Database } from '../../db/client.ts';
import { AppError } from '../../core/errors.ts';
import { registerErrorHandler } from '../../http/error-handler.ts';
import type { OrderSettings } from '../../orders/orders.service.ts';
import { trackAllowedMethods } from './allowed-methods.ts';
import { v1CustomerRoutes } from './customers.routes.ts';
import { v1OrderRoutes } from './orders.routes.ts';
import { renderProblem } from './problems.ts';
import { v1SmsRoutes } from './sms.routes.ts';
import { v1TokenRoutes } from './tokens.routes.ts';

export function v1Routes(
  db: Database,
  config: Config,
  orderSettings: OrderSettings,
  tokenCache: TokenCache,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    registerErrorHandler(app, renderProblem);
    app.setNotFoundHandler(() => {
      throw new AppError('not_found', 'There is nothing at this path in the API.');
    });
    const addMethodNotAllowedRoutes = trackAllowedMethods(app);
    await app.register(v1CustomerRoutes(db, config));
    await app.register(v1OrderRoutes(db, config, orderSettings));
    await app.register(v1SmsRoutes(db, orderSettings.wakeSmsWorkers));
    await app.register(v1TokenRoutes(db, tokenCache));
    addMethodNotAllowedRoutes();
  };
}
