// The original app's customer endpoints: thin adapters over the customers service.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  createCustomer,
  deleteCustomer,
  getCustomerWithOrders,
  listCustomersPage,
  updateCustomer,
} from '../../customers/customers.service.ts';
import type { Config } from '../../config/config.ts';
import type { Database } from '../../db/client.ts';
import { legacyCustomer, legacyCustomerOrder } from './legacy.representations.ts';
import {
  CreateCustomerSchema,
  DrfDetailSchema,
  DrfErrorSchema,
  DrfFieldErrorsSchema,
  drfAnswer,
  LEGACY_AUTHENTICATED_ERRORS,
  LEGACY_BODY_ERRORS,
  LEGACY_INVALID_ID,
  LEGACY_INVALID_PAGE,
  LEGACY_WRITE_ERRORS,
  LegacyCustomerDetailsSchema,
  LegacyCustomerSchema,
  LegacyDetailSchema,
  LegacyIdParamsSchema,
  LegacyPageQuerySchema,
  legacyPageSchema,
  UpdateCustomerSchema,
} from './legacy.schemas.ts';
import { legacyPage } from './pagination.ts';
import { requireUuid } from './uuid.ts';

const tags = ['original API: customers'];

const customerNotFound = drfAnswer(
  'No customer has this id: `{"error": "No Customer matches the given query."}`',
  [DrfErrorSchema],
);

export function legacyCustomerRoutes(db: Database, config: Config): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/get-customers',
      {
        schema: {
          tags,
          summary: 'List customers, 10 a page, oldest first',
          querystring: LegacyPageQuerySchema,
          response: {
            200: legacyPageSchema(LegacyCustomerSchema),
            404: LEGACY_INVALID_PAGE,
            ...LEGACY_AUTHENTICATED_ERRORS,
          },
        },
      },
      (request) =>
        legacyPage(
          request,
          config.publicUrl,
          (page) => listCustomersPage(db.statements, page),
          legacyCustomer,
        ),
    );

    app.get(
      '/api/view-customer/:id',
      {
        schema: {
          tags,
          summary: 'One customer and all their orders',
          params: LegacyIdParamsSchema,
          response: {
            200: LegacyCustomerDetailsSchema,
            400: LEGACY_INVALID_ID,
            404: customerNotFound,
            ...LEGACY_AUTHENTICATED_ERRORS,
          },
        },
        // Amounts are written as JSON numbers from their decimal text (JSON.rawJSON),
        // which only JSON.stringify understands.
        serializerCompiler: () => (data) => JSON.stringify(data),
      },
      async (request) => {
        const { customer, orders } = await getCustomerWithOrders(
          db.statements,
          requireUuid(request.params.id),
        );
        return {
          Customer_details: legacyCustomer(customer),
          orders: orders.map(legacyCustomerOrder),
        };
      },
    );

    app.post(
      '/api/add-customer',
      {
        schema: {
          tags,
          summary: 'Add a customer',
          body: CreateCustomerSchema,
          response: {
            201: LegacyCustomerSchema,
            400: drfAnswer(
              'Invalid fields, a phone number already taken, or a body that cannot be read',
              [DrfFieldErrorsSchema, DrfDetailSchema],
            ),
            ...LEGACY_WRITE_ERRORS,
            ...LEGACY_BODY_ERRORS,
          },
        },
      },
      async (request, reply) => {
        const customer = await createCustomer(db.statements, request.body);
        return reply.code(201).send(legacyCustomer(customer));
      },
    );

    app.put(
      '/api/update-customer/:id',
      {
        schema: {
          tags,
          summary: 'Change a customer (only the fields sent; others are ignored)',
          params: LegacyIdParamsSchema,
          body: UpdateCustomerSchema,
          response: {
            200: LegacyCustomerSchema,
            400: drfAnswer(
              'Invalid fields, a phone number already taken, a body that cannot be read, or an id that is not a UUID',
              [DrfFieldErrorsSchema, DrfDetailSchema, DrfErrorSchema],
            ),
            404: customerNotFound,
            ...LEGACY_WRITE_ERRORS,
            ...LEGACY_BODY_ERRORS,
          },
        },
      },
      async (request) =>
        legacyCustomer(
          await updateCustomer(db.statements, requireUuid(request.params.id), request.body),
        ),
    );

    app.delete(
      '/api/delete-customer/:id',
      {
        schema: {
          tags,
          summary: 'Delete a customer; one with orders needs ?force=true (deletes the orders too)',
          params: LegacyIdParamsSchema,
          querystring: Type.Object({ force: Type.Optional(Type.Boolean()) }),
          response: {
            200: LegacyDetailSchema,
            400: drfAnswer('The id is not a UUID, or `force` is not a boolean', [
              DrfErrorSchema,
              DrfFieldErrorsSchema,
            ]),
            404: customerNotFound,
            409: drfAnswer(
              'The customer has orders and `force` is not `true`: ' +
                '`{"detail": "Customer has 2 orders; delete them first, or pass ?force=true to delete the customer with its orders."}`',
              [DrfDetailSchema],
            ),
            ...LEGACY_WRITE_ERRORS,
          },
        },
      },
      async (request) => {
        const force = request.query.force === true;
        const customer = await deleteCustomer(db.orm, requireUuid(request.params.id), { force });
        return { detail: `Customer ${customer.name} successfully deleted` };
      },
    );
  };
}
