// /customers: the list (search, order, pages), "Add customer", and a customer's page.
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
  getCustomer,
  listCustomers,
} from '../customers/customers.service.ts';
import type { Database } from '../db/client.ts';
import {
  CUSTOMER_RESULTS_ID,
  customerListPage,
  customerPage,
  customerResults,
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

export function customerPages(db: Database, config: Config): FastifyPluginAsyncTypebox {
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
          summary: "A customer's page",
          params: IdParams,
          response: {
            200: htmlPage('The customer'),
            303: signIn,
            404: htmlPage('No customer has this id'),
          },
        },
      },
      async (request, reply) => {
        if (!isUuid(request.params.id)) throw customerNotFound();
        const customer = await getCustomer(db.statements, request.params.id);
        const signedIn = signedInFrame(request, reply, config, 'customers');
        return sendPage(reply, customerPage(signedIn, customer));
      },
    );
  };
}
