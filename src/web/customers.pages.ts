// /customers: the list (search, order, pages), "Add customer", a customer's page
// with their orders and "Add order", "Edit", and "Delete" after a confirmation.
// Handlers as thin as the APIs': read the request, call the customers service,
// render a template. Without JavaScript every step is a link or a form and a
// redirect; htmx only reloads the results region while someone types.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config/config.ts';
import { isUuid } from '../core/fields.ts';
import {
  createCustomer,
  customerNotFound,
  deleteCustomer,
  getCustomer,
  listCustomers,
  updateCustomer,
} from '../customers/customers.service.ts';
import {
  createOrder,
  customerOrderTotals,
  listOrders,
  type OrderSettings,
} from '../orders/orders.service.ts';
import type { Database } from '../db/client.ts';
import {
  CUSTOMER_RESULTS_ID,
  customerListPage,
  customerPage,
  customerResults,
  deleteCustomerPage,
  editCustomerPage,
  newCustomerPage,
} from './customers.views.ts';
import { setFlash } from './flash.ts';
import { formErrorsOf } from './forms.ts';
import { htmlPage, redirect } from './page-responses.ts';
import { sendPage, signedInFrame, wantsRegion } from './page-reply.ts';

const PAGE_SIZE = 20;
const tags = ['pages'];
const signIn = redirect('Not signed in: to sign in, and back here after');

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Name, or phone number' })),
  ordering: Type.Optional(
    Type.Enum(['newest', 'oldest'], { description: 'Newest first by default' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'A page of the list' })),
});

// Every field optional: the service's message for an empty one shows next to it,
// where a schema's refusal could only be a page of its own.
const CustomerForm = Type.Object({
  name: Type.Optional(Type.String()),
  phone_number: Type.Optional(Type.String()),
  csrfmiddlewaretoken: Type.Optional(Type.String()),
});

const IdParams = Type.Object({ id: Type.String() });

const CustomerPageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'A page of their orders' })),
});

const OrderForm = Type.Object({
  item: Type.Optional(Type.String()),
  amount: Type.Optional(Type.String()),
  csrfmiddlewaretoken: Type.Optional(Type.String()),
});

const ConfirmForm = Type.Object({ csrfmiddlewaretoken: Type.Optional(Type.String()) });

export function customerPages(
  db: Database,
  config: Config,
  orderSettings: OrderSettings,
): FastifyPluginAsyncTypebox {
  // A non-UUID is an unknown customer (404), not a database error.
  const customerOf = async (id: string) => {
    if (!isUuid(id)) throw customerNotFound();
    return getCustomer(db.statements, id);
  };
  const customerPageParts = async (customerId: string, cursor: string | undefined) => ({
    orders: await listOrders(db.statements, {
      customer_id: customerId,
      ordering: '-created_at',
      limit: PAGE_SIZE,
      cursor,
    }),
    totals: await customerOrderTotals(db.statements, customerId),
    currency: orderSettings.currency,
  });

  return async (app) => {
    app.get(
      '/customers',
      {
        schema: {
          tags,
          summary: 'Customers: search by name or phone number, newest or oldest first',
          querystring: ListQuery,
          response: {
            200: htmlPage('The list, or (to htmx) only its results region'),
            303: signIn,
            400: htmlPage('A page of the list that does not exist (a bad cursor)'),
          },
        },
      },
      async (request, reply) => {
        const view = {
          q: request.query.q?.trim() ?? '',
          ordering: request.query.ordering ?? 'newest',
        };
        const page = await listCustomers(db.statements, {
          q: view.q,
          ordering: view.ordering === 'newest' ? '-created_at' : 'created_at',
          limit: PAGE_SIZE,
          cursor: request.query.cursor,
        });
        if (wantsRegion(request, CUSTOMER_RESULTS_ID)) {
          return sendPage(reply, customerResults(view, page));
        }
        const signedIn = signedInFrame(request, reply, config, 'customers');
        return sendPage(reply, customerListPage(signedIn, view, page));
      },
    );

    app.get(
      '/customers/new',
      {
        schema: {
          tags,
          summary: 'The "Add customer" form',
          response: { 200: htmlPage('The form'), 303: signIn },
        },
      },
      async (request, reply) => {
        const signedIn = signedInFrame(request, reply, config, 'customers');
        return sendPage(reply, newCustomerPage(signedIn, {}));
      },
    );

    app.post(
      '/customers',
      {
        schema: {
          tags,
          summary: 'Add a customer (the form, with its CSRF token)',
          body: CustomerForm,
          response: {
            303: redirect(
              "Added: to the customer's page, with a message; or, not signed in, to sign in",
            ),
            400: htmlPage('The form again, with what was typed and a message by each wrong field'),
            403: htmlPage('The CSRF token is missing or wrong'),
          },
        },
      },
      async (request, reply) => {
        const values = { name: request.body.name, phone_number: request.body.phone_number };
        try {
          // A field the form left out is an empty one: "This field may not be blank."
          const customer = await createCustomer(db.statements, {
            name: values.name ?? '',
            phone_number: values.phone_number ?? '',
          });
          setFlash(reply, config, `Customer ${customer.name} added.`);
          return await reply.redirect(`/customers/${customer.id}`, 303);
        } catch (error) {
          const errors = formErrorsOf(error);
          if (errors === undefined) throw error;
          const signedIn = signedInFrame(request, reply, config, 'customers');
          return sendPage(reply, newCustomerPage(signedIn, values, errors), 400);
        }
      },
    );

    app.get(
      '/customers/:id',
      {
        schema: {
          tags,
          summary:
            'A customer\'s page: details, totals, their orders (newest first) and "Add order"',
          params: IdParams,
          querystring: CustomerPageQuery,
          response: {
            200: htmlPage('The customer'),
            303: signIn,
            400: htmlPage('A page of their orders that does not exist (a bad cursor)'),
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        const customer = await customerOf(request.params.id);
        const parts = await customerPageParts(customer.id, request.query.cursor);
        const signedIn = signedInFrame(request, reply, config, 'customers');
        return sendPage(reply, customerPage(signedIn, customer, parts));
      },
    );

    app.post(
      '/customers/:id/orders',
      {
        schema: {
          tags,
          summary: 'Add an order for this customer (the form on their page); its SMS is queued',
          params: IdParams,
          body: OrderForm,
          response: {
            303: redirect(
              "Added: to the order's page, with a message; or, not signed in, to sign in",
            ),
            400: htmlPage("The customer's page again, with what was typed and the messages"),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        const customer = await customerOf(request.params.id);
        const values = { item: request.body.item, amount: request.body.amount };
        try {
          // A field the form left out is an empty one, with the service's message.
          const order = await createOrder(
            db.statements,
            { customer_id: customer.id, item: values.item ?? '', amount: values.amount ?? '' },
            orderSettings,
          );
          setFlash(reply, config, 'Order added; SMS queued.');
          return await reply.redirect(`/orders/${order.id}`, 303);
        } catch (error) {
          const errors = formErrorsOf(error);
          if (errors === undefined) throw error;
          const parts = await customerPageParts(customer.id, undefined);
          const signedIn = signedInFrame(request, reply, config, 'customers');
          const page = customerPage(signedIn, customer, {
            ...parts,
            orderForm: { values, errors },
          });
          return sendPage(reply, page, 400);
        }
      },
    );

    app.get(
      '/customers/:id/edit',
      {
        schema: {
          tags,
          summary: 'The "Edit customer" form',
          params: IdParams,
          response: {
            200: htmlPage('The form, filled in'),
            303: signIn,
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        const customer = await customerOf(request.params.id);
        const signedIn = signedInFrame(request, reply, config, 'customers');
        const values = { name: customer.name, phone_number: customer.phoneNumber };
        return sendPage(reply, editCustomerPage(signedIn, customer, values));
      },
    );

    app.post(
      '/customers/:id/edit',
      {
        schema: {
          tags,
          summary: 'Change a customer (the form, with its CSRF token)',
          params: IdParams,
          body: CustomerForm,
          response: {
            303: redirect(
              "Saved: to the customer's page, with a message; or, not signed in, to sign in",
            ),
            400: htmlPage('The form again, with what was typed and a message by each wrong field'),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        const customer = await customerOf(request.params.id);
        const values = { name: request.body.name, phone_number: request.body.phone_number };
        try {
          // Both fields are on the form: one left out is an empty one, not "unchanged".
          const updated = await updateCustomer(db.statements, customer.id, {
            name: values.name ?? '',
            phone_number: values.phone_number ?? '',
          });
          setFlash(reply, config, `Customer ${updated.name} saved.`);
          return await reply.redirect(`/customers/${updated.id}`, 303);
        } catch (error) {
          const errors = formErrorsOf(error);
          if (errors === undefined) throw error;
          const signedIn = signedInFrame(request, reply, config, 'customers');
          return sendPage(reply, editCustomerPage(signedIn, customer, values, errors), 400);
        }
      },
    );

    app.get(
      '/customers/:id/delete',
      {
        schema: {
          tags,
          summary: 'Confirm deleting a customer: says how many orders go with them',
          params: IdParams,
          response: {
            200: htmlPage('The question, with the number of their orders'),
            303: signIn,
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        const customer = await customerOf(request.params.id);
        const totals = await customerOrderTotals(db.statements, customer.id);
        const signedIn = signedInFrame(request, reply, config, 'customers');
        return sendPage(reply, deleteCustomerPage(signedIn, customer, totals.orders));
      },
    );

    app.post(
      '/customers/:id/delete',
      {
        schema: {
          tags,
          summary: 'Delete a customer and their orders (the confirmation, with its CSRF token)',
          params: IdParams,
          body: ConfirmForm,
          response: {
            303: redirect(
              'Deleted: to the customers, with a message; or, not signed in, to sign in',
            ),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        if (!isUuid(request.params.id)) throw customerNotFound();
        // The confirmation page said their orders go too: force, in one transaction.
        const customer = await deleteCustomer(db.orm, request.params.id, { force: true });
        setFlash(reply, config, `Customer ${customer.name} deleted, with their orders.`);
        return await reply.redirect('/customers', 303);
      },
    );
  };
}
