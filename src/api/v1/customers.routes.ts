// /api/v1/customers: the customers as a resource.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config/config.ts';
import { isUuid } from '../../core/fields.ts';
import {
  CUSTOMER_ORDERINGS,
  CustomerChanges,
  CustomerInput,
} from '../../customers/customers.schemas.ts';
import {
  countCustomers,
  createCustomer,
  customerNotFound,
  deleteCustomer,
  getCustomer,
  listCustomers,
  lockCustomer,
  updateCustomer,
  type Customer,
} from '../../customers/customers.service.ts';
import type { Database } from '../../db/client.ts';
import type { StatementRunner } from '../../db/statement-pool.ts';
import { checkIfMatch, etagOf, hasIfMatch, sendWithEtag } from '../../http/etag.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import {
  cursorPageSchema,
  EtagHeader,
  IdempotencyHeaders,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  LocationHeader,
  NotModified,
  IdParams,
  LIST_LIMIT_DEFAULT,
  listParameters,
  problems,
  ReplayedHeader,
  StringEnum,
  Timestamp,
  withHeaders,
} from './schemas.ts';
import { cursorPageAnswer, withQueryFieldNames } from './pages.ts';

export const CustomerSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  phone_number: Type.String({ description: 'E.164', examples: ['+254701036054'] }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export function v1Customer(customer: Customer) {
  return {
    id: customer.id,
    name: customer.name,
    phone_number: customer.phoneNumber,
    created_at: customer.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
  };
}

const CustomerListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        description:
          'Part of the name (any case), or the start of the phone number in any notation (+254 701…, 00254701…)',
      }),
    ),
    created_after: Type.Optional(Type.String({ description: 'ISO 8601 date or date-time' })),
    created_before: Type.Optional(Type.String({ description: 'ISO 8601 date or date-time' })),
    ordering: Type.Optional(
      StringEnum(CUSTOMER_ORDERINGS, {
        description: 'created_at (oldest first, the default) or -created_at (newest first)',
      }),
    ),
    ...listParameters,
  },
  { additionalProperties: false },
);

/** A path's id: one that is not a UUID names no customer. */
function customerId(request: FastifyRequest<{ Params: { id: string } }>): string {
  if (!isUuid(request.params.id)) throw customerNotFound();
  return request.params.id;
}

const tags = ['customers'];

export function v1CustomerRoutes(db: Database, config: Config): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/customers',
      {
        schema: {
          tags,
          summary: 'List customers, a page at a time: search, filter, order',
          querystring: CustomerListQuery,
          response: { 200: cursorPageSchema(CustomerSchema), ...problems(400, 401, 429, 503) },
        },
      },
      async (request) => {
        const {
          limit = LIST_LIMIT_DEFAULT,
          ordering = 'created_at',
          count,
          ...filters
        } = request.query;
        const [page, total] = await withQueryFieldNames(() =>
          Promise.all([
            listCustomers(db.statements, { ...filters, ordering, limit }),
            count === true ? countCustomers(db.statements, filters) : undefined,
          ]),
        );
        return cursorPageAnswer(request, config.publicUrl, page, total, v1Customer);
      },
    );

    app.post(
      '/customers',
      {
        schema: {
          tags,
          summary: 'Add a customer',
          headers: IdempotencyHeaders,
          body: Type.Object(CustomerInput.properties, { additionalProperties: false }),
          response: {
            201: withHeaders(CustomerSchema, { ...LocationHeader, ...ReplayedHeader }),
            ...problems(400, 401, 403, 409, 422, 429, 503),
          },
        },
      },
      async (request, reply) =>
        answerIdempotently(db, request, reply, async (transaction) => {
          const customer = await createCustomer(transaction, request.body);
          const location = `/api/v1/customers/${customer.id}`;
          return { status: 201, body: v1Customer(customer), location };
        }),
    );

    app.get(
      '/customers/:id',
      {
        schema: {
          tags,
          summary: 'One customer',
          params: IdParams,
          headers: IfNoneMatchHeaders,
          response: {
            200: withHeaders(CustomerSchema, EtagHeader),
            ...NotModified,
            ...problems(401, 404, 429, 503),
          },
        },
      },
      async (request, reply) =>
        sendWithEtag(
          request,
          reply,
          v1Customer(await getCustomer(db.statements, customerId(request))),
        ),
    );

    app.patch(
      '/customers/:id',
      {
        schema: {
          tags,
          summary: 'Change a customer’s name or phone number',
          params: IdParams,
          headers: IfMatchHeaders,
          body: Type.Object(CustomerChanges.properties, { additionalProperties: false }),
          response: {
            200: withHeaders(CustomerSchema, EtagHeader),
            ...problems(400, 401, 403, 404, 409, 412, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const id = customerId(request);
        const change = async (runner: StatementRunner) => {
          if (hasIfMatch(request)) {
            const current = await lockCustomer(runner, id);
            if (current === undefined) throw customerNotFound();
            checkIfMatch(request, v1Customer(current));
          }
          return v1Customer(await updateCustomer(runner, id, request.body));
        };
        const changed = hasIfMatch(request)
          ? await db.statements.transaction(change)
          : await change(db.statements);
        return reply.header('ETag', etagOf(changed)).send(changed);
      },
    );

    app.delete(
      '/customers/:id',
      {
        schema: {
          tags,
          summary: 'Delete a customer (with their orders only if force=true)',
          params: IdParams,
          headers: IfMatchHeaders,
          querystring: Type.Object(
            {
              force: Type.Optional(
                Type.Boolean({
                  description: 'Also delete the customer’s orders (their SMS history stays)',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), ...problems(401, 403, 404, 409, 412, 429, 503) },
        },
      },
      async (request, reply) => {
        await deleteCustomer(db.orm, customerId(request), {
          force: request.query.force === true,
          precondition: (current) => checkIfMatch(request, v1Customer(current)),
        });
        return reply.code(204).send(null);
      },
    );
  };
}
