import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from '../db/client.ts';

const StatusSchema = Type.Object({ status: Type.String() });

export function healthRoutes(db: Database): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        // Probes from load balancers: not throttled, and they may use any Host (an address).
        config: { public: true, rateLimit: false, anyHost: true },
        schema: {
          tags: ['operations'],
          summary: 'The process is up',
          response: { 200: StatusSchema },
        },
      },
      () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        // Probes from load balancers: not throttled, and they may use any Host (an address).
        config: { public: true, rateLimit: false, anyHost: true },
        schema: {
          tags: ['operations'],
          summary: 'The database answers',
          response: { 200: StatusSchema, 503: StatusSchema },
        },
      },
      async (request, reply) => {
        const failure = await databaseFailure(db);
        if (failure === undefined) return { status: 'ok' };
        request.log.warn({ reason: failure }, 'readiness check failed');
        return reply.code(503).send({ status: 'database unavailable' });
      },
    );
  };
}

// Probes time out after a second or two: answer before they do, whatever the database does.
const READINESS_TIMEOUT_MS = 1500;

/** Why the database cannot answer `select 1` right now, or undefined when it can. */
async function databaseFailure(db: Database): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<string>((resolve) => {
    timer = setTimeout(
      resolve,
      READINESS_TIMEOUT_MS,
      `no answer within ${READINESS_TIMEOUT_MS} ms`,
    );
  });
  const probe = db.pool.query('select 1').then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  try {
    return await Promise.race([probe, tooSlow]);
  } finally {
    clearTimeout(timer);
  }
}
