// Two limits, both in this process's memory (@fastify/rate-limit's store):
//
// - per principal (the API token, or the signed-in user whatever session they use),
//   counted after authentication, so that spelling one credential differently
//   (`Token x`, `bearer x`, `Token  x`) never buys a second quota;
// - per address, for failed or missing credentials: an address that has failed
//   RATE_LIMIT_API times in the window is refused before authentication, so a flood of
//   made-up tokens or session ids costs no database lookup.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config, RateLimit } from '../config/config.ts';
import { AppError } from '../core/errors.ts';

export interface RateLimits {
  /** Counts one failed or missing credential against the request's address. */
  recordAuthenticationFailure(request: FastifyRequest): Promise<void>;
}

const throttledMessage = (seconds: number) =>
  `Request was throttled. Expected available in ${seconds} seconds.`;

export async function registerRateLimits(
  app: FastifyInstance,
  limits: Config['rateLimits'],
): Promise<RateLimits> {
  const api = limits.api;
  await app.register(rateLimit, {
    // Routes without their own `config.rateLimit` get the per-principal limit; the
    // sign-in routes set theirs (per address, RATE_LIMIT_LOGIN).
    global: api !== undefined,
    hook: 'preValidation', // route hooks run after the app's, so after authenticate()
    max: api?.max ?? 0,
    timeWindow: api?.windowMs ?? 0,
    keyGenerator: principalKey,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: throttledMessage(Math.ceil(context.ttl / 1000)),
    }),
  });
  if (api === undefined) return { recordAuthenticationFailure: async () => {} };
  return failuresPerAddress(app, api);
}

/** The route option for limits per address, such as the sign-in routes'. */
export function perAddress(limit: RateLimit | undefined) {
  if (limit === undefined) return false;
  return { max: limit.max, timeWindow: limit.windowMs, keyGenerator: addressKey };
}

function failuresPerAddress(app: FastifyInstance, limit: RateLimit): RateLimits {
  const failures = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => `failed:${request.ip}`,
  });
  app.addHook('onRequest', async (request, reply) => {
    // Probes and the webhook (which checks its own secret) are never limited.
    if (request.routeOptions.config.rateLimit === false) return;
    const state = await failures(request, { increment: false });
    if (state.isAllowed || state.remaining > 0) return;
    void reply.header('Retry-After', state.ttlInSeconds);
    throw new AppError('throttled', throttledMessage(state.ttlInSeconds));
  });
  return {
    recordAuthenticationFailure: async (request) => {
      await failures(request);
    },
  };
}

function principalKey(request: FastifyRequest): string {
  const identity = request.identity;
  if (identity === undefined) return addressKey(request);
  return identity.method === 'token' ? `token:${identity.tokenId}` : `user:${identity.user.id}`;
}

function addressKey(request: FastifyRequest): string {
  return `ip:${request.ip}`;
}
