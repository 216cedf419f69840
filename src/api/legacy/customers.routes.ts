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

export function legacyCustomerRoutes(db: Database, config: Config): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/get-customers',
      {
        schema: {
          tags,
          summary: 'List customers, 10 a page, oldest first',
          querystring: LegacyPageQuerySchema,
          response: { 200: legacyPageSchema(LegacyCustomerSchema) },
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
          response: { 200: LegacyCustomerDetailsSchema },
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
          response: { 201: LegacyCustomerSchema },
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
          response: { 200: LegacyCustomerSchema },
        },
      },
      async (request) =>
        legacyCustomer(await updateCustomer(db.orm, requireUuid(request.params.id), request.body)),
    );

    app.delete(
      '/api/delete-customer/:id',
      {
        schema: {
          tags,
          summary: 'Delete a customer; one with orders needs ?force=true (deletes the orders too)',
          params: LegacyIdParamsSchema,
          querystring: Type.Object({ force: Type.Optional(Type.Boolean()) }),
          response: { 200: LegacyDetailSchema },
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
