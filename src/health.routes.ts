import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Database } from './db/client.ts';

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
        try {
          await db.pool.query('select 1');
          return { status: 'ok' };
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check failed');
          return reply.code(503).send({ status: 'database unavailable' });
        }
      },
    );
  };
}
