// The original app's order endpoints: thin adapters over the orders service.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config/config.ts';
import type { Database } from '../../db/client.ts';
import { customerNotFound, findCustomer } from '../../customers/customers.service.ts';
import { AppError, isValidationError } from '../../core/errors.ts';
import {
  createOrder,
  deleteOrder,
  getOrder,
  listCustomerOrders,
  listOrdersPage,
  updateOrder,
  type OrderSettings,
} from '../../orders/orders.service.ts';
import { legacyOrder } from './legacy.representations.ts';
import {
  CreateOrderSchema,
  DrfDetailSchema,
  DrfErrorSchema,
  DrfFieldErrorsSchema,
  drfAnswer,
  LEGACY_AUTHENTICATED_ERRORS,
  LEGACY_BODY_ERRORS,
  LEGACY_INVALID_ID,
  LEGACY_INVALID_PAGE,
  LEGACY_WRITE_ERRORS,
  LegacyDetailSchema,
  LegacyIdParamsSchema,
  LegacyOrderSchema,
  LegacyPageQuerySchema,
  legacyPageSchema,
  UpdateOrderSchema,
} from './legacy.schemas.ts';
import { legacyPage } from './pagination.ts';
import { requireUuid } from './uuid.ts';

const tags = ['original API: orders'];

const orderNotFound = drfAnswer(
  'No order has this id: `{"error": "No Order matches the given query."}`',
  [DrfErrorSchema],
);
const invalidChanges = drfAnswer(
  'Invalid fields, a body that cannot be read, or an id that is not a UUID',
  [DrfFieldErrorsSchema, DrfDetailSchema, DrfErrorSchema],
);

export function legacyOrderRoutes(
  db: Database,
  config: Config,
  orderSettings: OrderSettings,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/get-orders',
      {
        schema: {
          tags,
          summary: 'List orders with their customers, 10 a page, oldest first',
          querystring: LegacyPageQuerySchema,
          response: {
            200: legacyPageSchema(LegacyOrderSchema),
            404: LEGACY_INVALID_PAGE,
            ...LEGACY_AUTHENTICATED_ERRORS,
          },
        },
      },
      (request) =>
        legacyPage(
          request,
          config.publicUrl,
          (page) => listOrdersPage(db.statements, page),
          legacyOrder,
        ),
    );

    app.get(
      '/api/view-order',
      {
        schema: {
          tags,
          summary: 'One order (?order_id=), or all orders of a customer (?customer_id=)',
          querystring: Type.Object({
            order_id: Type.Optional(Type.String()),
            customer_id: Type.Optional(Type.String()),
          }),
          response: {
            200: Type.Union([LegacyOrderSchema, Type.Array(LegacyOrderSchema)]),
            400: drfAnswer(
              'Neither `order_id` nor `customer_id` (a bare JSON string, as the original answered), ' +
                'or an id that is not a UUID',
              [Type.String({ examples: ['Please pass customer_id or order_id'] }), DrfErrorSchema],
            ),
            404: drfAnswer('No order, or no customer, has this id', [DrfErrorSchema]),
            ...LEGACY_AUTHENTICATED_ERRORS,
          },
        },
      },
      async (request) => {
        const { order_id: orderId, customer_id: customerId } = request.query;
        // As the original: an empty value counts as absent, order_id wins over customer_id.
        if (orderId) return legacyOrder(await getOrder(db.statements, requireUuid(orderId)));
        if (customerId) {
          const orders = await listCustomerOrders(db.statements, requireUuid(customerId));
          return orders.map(legacyOrder);
        }
        throw new AppError('missing_lookup', 'Please pass customer_id or order_id');
      },
    );

    app.post(
      '/api/add-order',
      {
        schema: {
          tags,
          summary: 'Add an order; its customer gets an SMS',
          body: CreateOrderSchema,
          response: {
            201: LegacyOrderSchema,
            400: drfAnswer(
              'Invalid fields, a body that cannot be read, or a `customer_id` that is not a UUID',
              [DrfFieldErrorsSchema, DrfDetailSchema, DrfErrorSchema],
            ),
            404: drfAnswer(
              'No `customer_id`, or no customer has it (checked first, as the original did): ' +
                '`{"error": "No Customer matches the given query."}`',
              [DrfErrorSchema],
            ),
            ...LEGACY_WRITE_ERRORS,
            ...LEGACY_BODY_ERRORS,
          },
        },
      },
      async (request, reply) => {
        const customerId = request.body.customer_id;
        // The original looked the customer up first: no id is "not found", a malformed
        // one Django's ValidationError, an unknown one 404 whatever else is wrong.
        if (customerId === undefined || customerId === null) throw customerNotFound();
        requireUuid(customerId);
        try {
          const order = await createOrder(
            db.statements,
            { ...request.body, customer_id: customerId },
            orderSettings,
          );
          return await reply.code(201).send(legacyOrder(order));
        } catch (error) {
          // Only on this error path, so that the answer stays one round trip.
          if (
            isValidationError(error) &&
            (await findCustomer(db.statements, customerId)) === undefined
          ) {
            throw customerNotFound();
          }
          throw error;
        }
      },
    );

    app.put(
      '/api/update-order/:id',
      {
        schema: {
          tags,
          summary: 'Change the item or amount of an order (other fields are ignored)',
          params: LegacyIdParamsSchema,
          body: UpdateOrderSchema,
          response: {
            200: LegacyOrderSchema,
            400: invalidChanges,
            404: orderNotFound,
            ...LEGACY_WRITE_ERRORS,
            ...LEGACY_BODY_ERRORS,
          },
        },
      },
      async (request) =>
        legacyOrder(await updateOrder(db.statements, requireUuid(request.params.id), request.body)),
    );

    app.delete(
      '/api/delete-order/:id',
      {
        schema: {
          tags,
          summary: 'Delete an order',
          params: LegacyIdParamsSchema,
          response: {
            200: LegacyDetailSchema,
            400: LEGACY_INVALID_ID,
            404: orderNotFound,
            ...LEGACY_WRITE_ERRORS,
          },
        },
      },
      async (request) => {
        const id = requireUuid(request.params.id);
        await deleteOrder(db.statements, id);
        return { detail: `Order ${id} successfully deleted` };
      },
    );
  };
}
