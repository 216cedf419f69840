// /orders: the list (filters, order, pages), an order's page with its SMS timeline
// and Retry, "Edit", and "Delete" after a confirmation. Orders are added on their
// customer's page (customers.pages.ts). Handlers call the orders service and the
// SMS outbox, never the APIs.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config/config.ts';
import { AppError, type FieldErrors } from '../core/errors.ts';
import { isUuid } from '../core/fields.ts';
import { findCustomer } from '../customers/customers.service.ts';
import type { Database } from '../db/client.ts';
import {
  deleteOrder,
  getOrder,
  listOrders,
  orderNotFound,
  updateOrder,
  type OrderSettings,
} from '../orders/orders.service.ts';
import type { OrderOrdering } from '../orders/orders.schemas.ts';
import { findOrderSms, retryFailedSms } from '../sms/outbox.ts';
import { setFlash } from './flash.ts';
import { formErrorsOf } from './forms.ts';
import {
  deleteOrderPage,
  editOrderPage,
  ORDER_LIST_ORDERINGS,
  ORDER_RESULTS_ID,
  orderListPage,
  orderPage,
  orderResults,
  type OrderListOrdering,
  type OrderListView,
} from './orders.views.ts';
import { htmlPage, redirect } from './page-responses.ts';
import { sendPage, signedInFrame, wantsRegion } from './page-reply.ts';

const PAGE_SIZE = 20;
const tags = ['pages'];
const signIn = redirect('Not signed in: to sign in, and back here after');

const text = (description: string) => Type.Optional(Type.String({ maxLength: 200, description }));

// Strings, checked by the service: a bad value shows by its field, not as a page of its own.
const ListQuery = Type.Object({
  customer_id: text("A customer's id (from their page)"),
  created_after: text('From this day (YYYY-MM-DD, UTC), inclusive'),
  created_before: text('To this day (YYYY-MM-DD, UTC), inclusive'),
  min_amount: text('At least this amount'),
  max_amount: text('At most this amount'),
  q: text('Part of the item'),
  sms_status: text('pending, sending, sent, delivered or failed'),
  ordering: Type.Optional(
    Type.Enum(Object.keys(ORDER_LIST_ORDERINGS), { description: 'Newest first by default' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'A page of the list' })),
});

const ORDERINGS: Record<OrderListOrdering, OrderOrdering> = {
  newest: '-created_at',
  oldest: 'created_at',
  largest: '-amount',
  smallest: 'amount',
};

const OrderForm = Type.Object({
  item: Type.Optional(Type.String()),
  amount: Type.Optional(Type.String()),
  csrfmiddlewaretoken: Type.Optional(Type.String()),
});

const ConfirmForm = Type.Object({ csrfmiddlewaretoken: Type.Optional(Type.String()) });

const IdParams = Type.Object({ id: Type.String() });

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day after a date input's day: "to 3 Dec" means up to the end of 3 Dec (UTC). */
function dayAfter(value: string): string {
  if (!DAY.test(value)) return value; // the service names what is wrong with it
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return value;
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

const optional = (value: string) => (value === '' ? undefined : value);

export function orderPages(
  db: Database,
  config: Config,
  orderSettings: OrderSettings,
): FastifyPluginAsyncTypebox {
  // A non-UUID is an unknown order (404), not a database error.
  const orderOf = async (id: string) => {
    if (!isUuid(id)) throw orderNotFound();
    return getOrder(db.statements, id);
  };

  return async (app) => {
    app.get(
      '/orders',
      {
        schema: {
          tags,
          summary: 'Orders: filtered by dates, amounts, customer, item and SMS status; ordered',
          querystring: ListQuery,
          response: {
            200: htmlPage('The list, or (to htmx) only its results region'),
            303: signIn,
            400: htmlPage(
              'A filter the list cannot use (its message by the field), or a bad cursor',
            ),
          },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const view: OrderListView = {
          customerId: query.customer_id?.trim() ?? '',
          createdAfter: query.created_after?.trim() ?? '',
          createdBefore: query.created_before?.trim() ?? '',
          minAmount: query.min_amount?.trim() ?? '',
          maxAmount: query.max_amount?.trim() ?? '',
          q: query.q?.trim() ?? '',
          smsStatus: query.sms_status?.trim() ?? '',
          ordering: (query.ordering ?? 'newest') as OrderListOrdering,
        };
        let page;
        let errors: FieldErrors | undefined;
        try {
          page = await listOrders(db.statements, {
            customer_id: optional(view.customerId),
            created_after: optional(view.createdAfter),
            created_before: optional(view.createdBefore) && dayAfter(view.createdBefore),
            min_amount: optional(view.minAmount),
            max_amount: optional(view.maxAmount),
            q: optional(view.q),
            sms_status: optional(view.smsStatus),
            ordering: ORDERINGS[view.ordering],
            limit: PAGE_SIZE,
            cursor: query.cursor,
          });
        } catch (error) {
          errors = formErrorsOf(error);
          if (errors === undefined) throw error;
          page = { rows: [], next: undefined, previous: undefined };
        }
        const status = errors === undefined ? 200 : 400;
        if (wantsRegion(request, ORDER_RESULTS_ID)) {
          // While someone types, a filter that is not yet valid says so in the results.
          return sendPage(reply, orderResults(view, page, errors), status);
        }
        const customer = isUuid(view.customerId)
          ? await findCustomer(db.statements, view.customerId)
          : undefined;
        const signedIn = signedInFrame(request, reply, config, 'orders');
        return sendPage(reply, orderListPage(signedIn, view, page, customer, errors), status);
      },
    );

    app.get(
      '/orders/:id',
      {
        schema: {
          tags,
          summary: "An order's page, with its SMS timeline (and Retry when the SMS failed)",
          params: IdParams,
          response: {
            200: htmlPage('The order'),
            303: signIn,
            404: htmlPage('No order has this id'),
          },
        },
      },
      async (request, reply) => {
        const order = await orderOf(request.params.id);
        const sms = await findOrderSms(db.orm, order.id);
        const signedIn = signedInFrame(request, reply, config, 'orders');
        return sendPage(reply, orderPage(signedIn, order, sms));
      },
    );

    app.post(
      '/orders/:id/sms/retry',
      {
        schema: {
          tags,
          summary: "Send a failed SMS again (the order page's button, with its CSRF token)",
          params: IdParams,
          body: ConfirmForm,
          response: {
            303: redirect(
              "Back to the order's page, with a message; or, not signed in, to sign in",
            ),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('No order has this id'),
            409: htmlPage('The SMS has not failed (or there is none): nothing to retry'),
          },
        },
      },
      async (request, reply) => {
        const order = await orderOf(request.params.id);
        const sms = await findOrderSms(db.orm, order.id);
        if (sms === undefined) throw new AppError('sms_not_found', 'This order has no SMS.');
        const queued = await retryFailedSms(db.orm, sms.id);
        if (queued === undefined) {
          throw new AppError(
            'sms_not_failed',
            `Only a failed SMS can be retried; this one is ${sms.status}.`,
          );
        }
        orderSettings.wakeSmsWorkers?.();
        setFlash(reply, config, 'SMS queued again.');
        return await reply.redirect(`/orders/${order.id}`, 303);
      },
    );

    app.get(
      '/orders/:id/edit',
      {
        schema: {
          tags,
          summary: 'The "Edit order" form',
          params: IdParams,
          response: {
            200: htmlPage('The form, filled in'),
            303: signIn,
            404: htmlPage('No order has this id'),
          },
        },
      },
      async (request, reply) => {
        const order = await orderOf(request.params.id);
        const signedIn = signedInFrame(request, reply, config, 'orders');
        const values = { item: order.item, amount: order.amount };
        return sendPage(reply, editOrderPage(signedIn, order, values));
      },
    );

    app.post(
      '/orders/:id/edit',
      {
        schema: {
          tags,
          summary: 'Change an order’s item and amount (the form, with its CSRF token)',
          params: IdParams,
          body: OrderForm,
          response: {
            303: redirect(
              "Saved: to the order's page, with a message; or, not signed in, to sign in",
            ),
            400: htmlPage('The form again, with what was typed and a message by each wrong field'),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('No order has this id'),
          },
        },
      },
      async (request, reply) => {
        const order = await orderOf(request.params.id);
        const values = { item: request.body.item, amount: request.body.amount };
        try {
          // Both fields are on the form: one left out is an empty one, not "unchanged".
          await updateOrder(db.statements, order.id, {
            item: values.item ?? '',
            amount: values.amount ?? '',
          });
          setFlash(reply, config, 'Order saved.');
          return await reply.redirect(`/orders/${order.id}`, 303);
        } catch (error) {
          const errors = formErrorsOf(error);
          if (errors === undefined) throw error;
          const signedIn = signedInFrame(request, reply, config, 'orders');
          return sendPage(reply, editOrderPage(signedIn, order, values, errors), 400);
        }
      },
    );

    app.get(
      '/orders/:id/delete',
      {
        schema: {
          tags,
          summary: 'Confirm deleting an order',
          params: IdParams,
          response: {
            200: htmlPage('The question'),
            303: signIn,
            404: htmlPage('No order has this id'),
          },
        },
      },
      async (request, reply) => {
        const order = await orderOf(request.params.id);
        const signedIn = signedInFrame(request, reply, config, 'orders');
        return sendPage(reply, deleteOrderPage(signedIn, order));
      },
    );

    app.post(
      '/orders/:id/delete',
      {
        schema: {
          tags,
          summary: 'Delete an order (the confirmation, with its CSRF token)',
          params: IdParams,
          body: ConfirmForm,
          response: {
            303: redirect(
              "Deleted: to the customer's page, with a message; or, not signed in, to sign in",
            ),
            403: htmlPage('The CSRF token is missing or wrong'),
            404: htmlPage('No order has this id'),
          },
        },
      },
      async (request, reply) => {
        const order = await orderOf(request.params.id);
        await deleteOrder(db.statements, order.id);
        setFlash(reply, config, `Order “${order.item}” deleted.`);
        return await reply.redirect(`/customers/${order.customer.id}`, 303);
      },
    );
  };
}
