// /api/v1/orders and /api/v1/customers/{id}/orders: the orders as a resource, each
// with its customer and the state of its SMS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config/config.ts';
import { AppError, validationError } from '../../core/errors.ts';
import { isUuid } from '../../core/fields.ts';
import { customerNotFound, getCustomer } from '../../customers/customers.service.ts';
import type { Database } from '../../db/client.ts';
import type { CursorPage } from '../../db/keyset.ts';
import { SMS_STATUSES } from '../../db/schema.ts';
import { checkIfMatch, etagOf, hasIfMatch, sendWithEtag } from '../../http/etag.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import {
  Amount,
  CustomerId,
  Item,
  ORDER_ORDERINGS,
  OrderChanges,
  type OrderFilters,
} from '../../orders/orders.schemas.ts';
import {
  countOrders,
  createOrder,
  deleteOrder,
  getOrderWithSms,
  listOrders,
  lockOrderWithSms,
  orderNotFound,
  updateOrder,
  type OrderSettings,
  type OrderWithSms,
} from '../../orders/orders.service.ts';
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
  Nullable,
  problems,
  ReplayedHeader,
  StringEnum,
  Timestamp,
  withHeaders,
} from './schemas.ts';
import { cursorPageAnswer, withQueryFieldNames } from './pages.ts';

export const OrderSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  customer: Type.Object({
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    phone_number: Type.String(),
  }),
  item: Type.String(),
  amount: Type.String({ description: 'A decimal with two places', examples: ['1250.00'] }),
  currency: Type.String({ description: 'ISO 4217', examples: ['KES'] }),
  created_at: Timestamp,
  updated_at: Timestamp,
  sms: Nullable(
    Type.Object(
      {
        status: StringEnum(SMS_STATUSES),
        attempts: Type.Integer(),
        last_error: Nullable(Type.String()),
        sent_at: Nullable(Timestamp),
        delivered_at: Nullable(Timestamp),
      },
      {
        description: 'The SMS the customer was sent for this order; null if it has none (imported)',
      },
    ),
  ),
});

export function v1Order(order: OrderWithSms) {
  return {
    id: order.id,
    customer: {
      id: order.customer.id,
      name: order.customer.name,
      phone_number: order.customer.phoneNumber,
    },
    item: order.item,
    amount: order.amount,
    currency: order.currency,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
    sms: order.sms && {
      status: order.sms.status,
      attempts: order.sms.attempts,
      last_error: order.sms.lastError,
      sent_at: order.sms.sentAt?.toISOString() ?? null,
      delivered_at: order.sms.deliveredAt?.toISOString() ?? null,
    },
  };
}

const filterParameters = {
  created_after: Type.Optional(Type.String({ description: 'ISO 8601 date or date-time' })),
  created_before: Type.Optional(Type.String({ description: 'ISO 8601 date or date-time' })),
  min_amount: Type.Optional(Type.String({ description: 'A decimal, inclusive' })),
  max_amount: Type.Optional(Type.String({ description: 'A decimal, inclusive' })),
  q: Type.Optional(Type.String({ description: 'Part of the item, in any case' })),
  sms_status: Type.Optional(
    StringEnum(SMS_STATUSES, { description: 'Only orders whose SMS is in this state' }),
  ),
  ordering: Type.Optional(
    StringEnum(ORDER_ORDERINGS, {
      description: 'created_at (the default), -created_at, amount or -amount',
    }),
  ),
  ...listParameters,
};

const OrderListQuery = Type.Object(
  {
    customer_id: Type.Optional(Type.String({ description: 'A customer’s id' })),
    ...filterParameters,
  },
  { additionalProperties: false },
);
const CustomerOrderListQuery = Type.Object(filterParameters, { additionalProperties: false });

/** A path's id: one that is not a UUID names no order. */
function orderId(request: FastifyRequest<{ Params: { id: string } }>): string {
  if (!isUuid(request.params.id)) throw orderNotFound();
  return request.params.id;
}

const tags = ['orders'];

export function v1OrderRoutes(
  db: Database,
  config: Config,
  orderSettings: OrderSettings,
): FastifyPluginAsyncTypebox {
  /** A page as answered: rows, absolute links to the pages beside it, the count if asked. */
  const answerPage = async (
    request: FastifyRequest,
    query: OrderFilters & {
      limit?: number;
      ordering?: (typeof ORDER_ORDERINGS)[number];
      cursor?: string;
      count?: boolean;
    },
  ) => {
    const {
      limit = LIST_LIMIT_DEFAULT,
      ordering = 'created_at',
      count,
      cursor,
      ...filters
    } = query;
    const [page, total]: [CursorPage<OrderWithSms>, number | undefined] = await withQueryFieldNames(
      () =>
        Promise.all([
          listOrders(db.statements, { ...filters, ordering, limit, cursor }),
          count === true ? countOrders(db.statements, filters) : undefined,
        ]),
    );
    return cursorPageAnswer(request, config.publicUrl, page, total, v1Order);
  };

  return async (app) => {
    app.get(
      '/orders',
      {
        schema: {
          tags,
          summary: 'List orders, a page at a time: filter, search, order',
          querystring: OrderListQuery,
          response: { 200: cursorPageSchema(OrderSchema), ...problems(400, 401, 429, 503) },
        },
      },
      async (request) => answerPage(request, request.query),
    );

    app.get(
      '/customers/:id/orders',
      {
        schema: {
          tags,
          summary: 'A customer’s orders, a page at a time',
          params: IdParams,
          querystring: CustomerOrderListQuery,
          response: { 200: cursorPageSchema(OrderSchema), ...problems(400, 401, 404, 429, 503) },
        },
      },
      async (request) => {
        if (!isUuid(request.params.id)) throw customerNotFound();
        const [, page] = await Promise.all([
          getCustomer(db.statements, request.params.id),
          answerPage(request, { ...request.query, customer_id: request.params.id }),
        ]);
        return page;
      },
    );

    app.post(
      '/orders',
      {
        schema: {
          tags,
          summary: 'Add an order; its customer gets an SMS',
          headers: IdempotencyHeaders,
          body: Type.Object(
            { customer_id: CustomerId, item: Item, amount: Amount },
            { additionalProperties: false },
          ),
          response: {
            201: withHeaders(OrderSchema, { ...LocationHeader, ...ReplayedHeader }),
            ...problems(400, 401, 403, 409, 422, 429, 503),
          },
        },
      },
      async (request, reply) =>
        answerIdempotently(db, request, reply, async (transaction) => {
          try {
            const order = await createOrder(transaction, request.body, orderSettings);
            const sms = {
              status: 'pending',
              attempts: 0,
              lastError: null,
              sentAt: null,
              deliveredAt: null,
            } as const;
            const location = `/api/v1/orders/${order.id}`;
            return { status: 201, body: v1Order({ ...order, sms }), location };
          } catch (error) {
            // The order is the resource here: an unknown customer is a bad field, not a 404.
            if (error instanceof AppError && error.kind === 'customer_not_found') {
              throw validationError({ customer_id: [error.message] });
            }
            throw error;
          }
        }),
    );

    app.get(
      '/orders/:id',
      {
        schema: {
          tags,
          summary: 'One order, with its customer and its SMS',
          params: IdParams,
          headers: IfNoneMatchHeaders,
          response: {
            200: withHeaders(OrderSchema, EtagHeader),
            ...NotModified,
            ...problems(401, 404, 429, 503),
          },
        },
      },
      async (request, reply) =>
        sendWithEtag(
          request,
          reply,
          v1Order(await getOrderWithSms(db.statements, orderId(request))),
        ),
    );

    app.patch(
      '/orders/:id',
      {
        schema: {
          tags,
          summary: 'Change an order’s item or amount',
          params: IdParams,
          headers: IfMatchHeaders,
          body: Type.Object(OrderChanges.properties, { additionalProperties: false }),
          response: {
            200: withHeaders(OrderSchema, EtagHeader),
            ...problems(400, 401, 403, 404, 412, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const id = orderId(request);
        const changed = await db.statements.transaction(async (transaction) => {
          if (hasIfMatch(request))
            checkIfMatch(request, v1Order(await lockOrderWithSms(transaction, id)));
          await updateOrder(transaction, id, request.body);
          return v1Order(await getOrderWithSms(transaction, id));
        });
        return reply.header('ETag', etagOf(changed)).send(changed);
      },
    );

    app.delete(
      '/orders/:id',
      {
        schema: {
          tags,
          summary: 'Delete an order (its SMS stays on record)',
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...problems(401, 403, 404, 412, 429, 503) },
        },
      },
      async (request, reply) => {
        const id = orderId(request);
        await db.statements.transaction(async (transaction) => {
          if (hasIfMatch(request))
            checkIfMatch(request, v1Order(await lockOrderWithSms(transaction, id)));
          await deleteOrder(transaction, id);
        });
        return reply.code(204).send(null);
      },
    );
  };
}
