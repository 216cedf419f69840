// The orders' templates: the list with its filters (and the region htmx reloads),
// an order's page with its SMS timeline, and the forms to edit and delete an order.
// The SMS badge and the order form are also used on a customer's page.
import { html } from 'ghtml';
import type { FieldErrors } from '../core/errors.ts';
import type { CursorPage } from '../db/keyset.ts';
import type { SmsMessageRow, SmsStatus } from '../db/schema.ts';
import type { Customer } from '../customers/customers.service.ts';
import type { Order, OrderWithSms } from '../orders/orders.service.ts';
import { formatDateTime, formatMoney, formatPhoneNumber } from './format.ts';
import { csrfField, errorSummary, fieldId, textField } from './forms.ts';
import { layout, type SignedInFrame } from './layout.ts';
import { dataTable } from './tables.ts';

/** The list's region that the filters reload (hx-target). */
export const ORDER_RESULTS_ID = 'order-results';

const SMS_LABELS: Record<SmsStatus, string> = {
  pending: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
};

/** The SMS's state as a badge; its words carry the meaning, the colour only repeats it. */
export function smsBadge(status: SmsStatus | undefined): string {
  if (status === undefined) return html`<span class="badge">No SMS</span>`;
  return html`<span class="badge sms-${status}">SMS ${SMS_LABELS[status].toLowerCase()}</span>`;
}

const time = (value: Date) =>
  html`<time datetime="${value.toISOString()}">${formatDateTime(value)}</time>`;

export const ORDER_FIELD_LABELS = { item: 'Item', amount: 'Amount', customer_id: 'Customer' };

/** What an order form holds: what was typed, kept when it comes back with errors. */
export interface OrderFormValues {
  item?: string | undefined;
  amount?: string | undefined;
}

/** Item and amount, for "Add order" (on a customer's page) and "Edit order". */
export function orderFields(
  values: OrderFormValues,
  errors: FieldErrors | undefined,
  currency: string,
): string {
  return html`!${textField({
    name: 'item',
    label: ORDER_FIELD_LABELS.item,
    hint: 'What they ordered, up to 100 characters.',
    value: values.item,
    errors,
    autocomplete: 'off',
    maxLength: 100,
  })}
  !${textField({
    name: 'amount',
    label: `${ORDER_FIELD_LABELS.amount} (${currency})`,
    hint: 'More than 0, with at most 2 decimals: 1250.50',
    value: values.amount,
    errors,
    autocomplete: 'off',
  })}`;
}

/** What the list shows, as its address says: `/orders?created_after=…&sms_status=…`. */
export interface OrderListView {
  customerId: string;
  createdAfter: string;
  createdBefore: string;
  minAmount: string;
  maxAmount: string;
  q: string;
  smsStatus: string;
  ordering: OrderListOrdering;
}

export const ORDER_LIST_ORDERINGS = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  largest: 'Largest amount first',
  smallest: 'Smallest amount first',
} as const;
export type OrderListOrdering = keyof typeof ORDER_LIST_ORDERINGS;

const FILTER_LABELS = {
  created_after: 'From',
  created_before: 'To',
  min_amount: 'Amount from',
  max_amount: 'Amount to',
  q: 'Item contains',
  sms_status: 'SMS',
  customer_id: 'Customer',
};

const isFiltered = (view: OrderListView) =>
  view.customerId !== '' ||
  view.createdAfter !== '' ||
  view.createdBefore !== '' ||
  view.minAmount !== '' ||
  view.maxAmount !== '' ||
  view.q !== '' ||
  view.smsStatus !== '';

export function orderListPage(
  signedIn: SignedInFrame,
  view: OrderListView,
  page: CursorPage<OrderWithSms>,
  customer: Customer | undefined,
  errors?: FieldErrors,
): string {
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}" !${value === current ? ' selected' : ''}>${label}</option>`;
  const filter = (name: keyof typeof FILTER_LABELS, value: string, type: 'date' | 'text') =>
    textField({ name, label: FILTER_LABELS[name], value, errors, type, autocomplete: 'off' });
  return layout(
    { title: errors === undefined ? 'Orders' : 'Error: Orders', signedIn },
    html`<div class="page-heading">
        <h1>${customer === undefined ? 'Orders' : `Orders of ${customer.name}`}</h1>
        !${
          customer === undefined
            ? ''
            : html`<a class="button secondary" href="/customers/${customer.id}"
                >Back to customer</a
              >`
        }
      </div>
      <form
        class="toolbar filters"
        method="get"
        action="/orders"
        role="search"
        aria-label="Filter orders"
        hx-get="/orders"
        hx-trigger="input delay:400ms, submit"
        hx-target="#${ORDER_RESULTS_ID}"
        hx-push-url="true"
      >
        !${errorSummary(errors, FILTER_LABELS)}
        !${
          view.customerId === ''
            ? ''
            : html`<input type="hidden" name="customer_id" value="${view.customerId}" />`
        }
        !${filter('created_after', view.createdAfter, 'date')}
        !${filter('created_before', view.createdBefore, 'date')}
        !${filter('min_amount', view.minAmount, 'text')}
        !${filter('max_amount', view.maxAmount, 'text')}
        <div class="field grow">
          <label for="${fieldId('q')}">${FILTER_LABELS.q}</label>
          <input id="${fieldId('q')}" name="q" type="search" value="${view.q}" autocomplete="off" />
        </div>
        <div class="field select">
          <label for="${fieldId('sms_status')}">${FILTER_LABELS.sms_status}</label>
          <select id="${fieldId('sms_status')}" name="sms_status">
            !${option('', 'Any', view.smsStatus)}
            !${Object.entries(SMS_LABELS).map(([value, label]) =>
              option(value, label, view.smsStatus),
            )}
          </select>
        </div>
        <div class="field select">
          <label for="${fieldId('ordering')}">Order</label>
          <select id="${fieldId('ordering')}" name="ordering">
            !${Object.entries(ORDER_LIST_ORDERINGS).map(([value, label]) =>
              option(value, label, view.ordering),
            )}
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="secondary">Filter</button>
          !${
            isFiltered(view)
              ? html`<a
                  href="${customer === undefined ? '/orders' : `/orders?customer_id=${customer.id}`}"
                  >Clear filters</a
                >`
              : ''
          }
        </div>
        <span class="htmx-indicator" aria-hidden="true">Loading…</span>
      </form>
      <div id="${ORDER_RESULTS_ID}" class="results">
        !${orderResults(view, page, errors, false)}
      </div>`,
  );
}

/** The results region alone: the whole answer to htmx when a filter changes. */
export function orderResults(
  view: OrderListView,
  page: CursorPage<OrderWithSms>,
  errors?: FieldErrors,
  inRegion = true,
): string {
  if (errors !== undefined) {
    // The whole page has the summary above the filters; htmx's region alone needs its own.
    return inRegion
      ? errorSummary(errors, FILTER_LABELS)
      : html`<p class="result-summary" role="status">Fix the filter above to see orders.</p>`;
  }
  if (page.rows.length === 0) return emptyOrderList(view);
  const rows = page.rows.map(
    (order) =>
      html`<tr>
        <th scope="row" data-label="Item"><a href="/orders/${order.id}">${order.item}</a></th>
        <td data-label="Customer">
          <a href="/customers/${order.customer.id}">${order.customer.name}</a>
        </td>
        <td data-label="Amount" class="amount">
          <span class="nowrap">${formatMoney(order.amount, order.currency)}</span>
        </td>
        <td data-label="SMS">!${smsBadge(order.sms?.status)}</td>
        <td data-label="Created">!${time(order.createdAt)}</td>
      </tr>`,
  );
  const shown = page.rows.length;
  return html`<p class="result-summary" role="status">
      Showing ${shown} order${shown === 1 ? '' : 's'},
      ${ORDER_LIST_ORDERINGS[view.ordering].toLowerCase()}.
    </p>
    !${dataTable(['Item', 'Customer', 'Amount', 'SMS', 'Created'], rows)}
    !${pager((cursor) => orderListUrl(view, cursor), page)}`;
}

function emptyOrderList(view: OrderListView): string {
  if (isFiltered(view)) {
    return html`<div class="empty-state" role="status">
      <h2>No order matches these filters</h2>
      <p>Widen the dates or the amounts, choose another SMS status, or clear the filters.</p>
    </div>`;
  }
  return html`<div class="empty-state" role="status">
    <h2>No orders yet</h2>
    <p>
      Orders are taken on a customer’s page: open the customer, fill in “Add order”, and their SMS
      goes out at once.
    </p>
    <p><a class="button" href="/customers">Choose a customer</a></p>
  </div>`;
}

/** Previous and Next, for any keyset-paged list. */
export function pager<Row>(
  urlOf: (cursor: string) => string,
  page: CursorPage<Row>,
  label = 'Pages',
): string {
  if (page.previous === undefined && page.next === undefined) return '';
  const link = (cursor: string | undefined, text: string, rel: string) =>
    cursor === undefined
      ? html`<span class="button secondary disabled" aria-disabled="true">${text}</span>`
      : html`<a class="button secondary" rel="${rel}" href="${urlOf(cursor)}">${text}</a>`;
  return html`<nav class="pager" aria-label="${label}">
    !${link(page.previous, '← Previous', 'prev')} !${link(page.next, 'Next →', 'next')}
  </nav>`;
}

/** The list's address for a view and a page, leaving out what is empty or the default. */
export function orderListUrl(view: OrderListView, cursor?: string): string {
  const query = new URLSearchParams();
  const fields: [string, string][] = [
    ['customer_id', view.customerId],
    ['created_after', view.createdAfter],
    ['created_before', view.createdBefore],
    ['min_amount', view.minAmount],
    ['max_amount', view.maxAmount],
    ['q', view.q],
    ['sms_status', view.smsStatus],
  ];
  for (const [name, value] of fields) if (value !== '') query.set(name, value);
  if (view.ordering !== 'newest') query.set('ordering', view.ordering);
  if (cursor !== undefined) query.set('cursor', cursor);
  const search = query.toString();
  return search === '' ? '/orders' : `/orders?${search}`;
}

/** One step of the SMS's way, reached or not yet. */
interface TimelineStep {
  label: string;
  state: 'done' | 'current' | 'failed' | 'todo';
  at: Date | undefined;
  detail?: string | undefined;
}

function smsTimeline(sms: SmsMessageRow): TimelineStep[] {
  const tried = sms.attempts > 0 || sms.status !== 'pending';
  const attempts = `${sms.attempts} attempt${sms.attempts === 1 ? '' : 's'}`;
  const steps: TimelineStep[] = [
    {
      label: 'Queued',
      state: sms.status === 'pending' && !tried ? 'current' : 'done',
      at: sms.createdAt,
    },
    {
      label: 'Sending',
      state: sms.status === 'sending' ? 'current' : tried ? 'done' : 'todo',
      at: sms.status === 'sending' ? sms.updatedAt : undefined,
      detail: tried ? attempts : undefined,
    },
    {
      label: 'Sent',
      state: sms.sentAt === null ? 'todo' : sms.status === 'sent' ? 'current' : 'done',
      at: sms.sentAt ?? undefined,
    },
  ];
  if (sms.status === 'failed') {
    steps.push({
      label: 'Failed',
      state: 'failed',
      at: sms.updatedAt,
      detail: sms.lastError ?? undefined,
    });
  } else {
    steps.push({
      label: 'Delivered',
      state: sms.deliveredAt === null ? 'todo' : 'current',
      at: sms.deliveredAt ?? undefined,
    });
  }
  return steps;
}

function smsSection(signedIn: SignedInFrame, order: Order, sms: SmsMessageRow | undefined): string {
  if (sms === undefined) {
    return html`<section class="panel" aria-labelledby="sms-heading">
      <h2 id="sms-heading">SMS</h2>
      <p>This order has no SMS (it was imported, not taken here).</p>
    </section>`;
  }
  const steps = smsTimeline(sms).map(
    (step) =>
      html`<li class="step step-${step.state}">
        <span class="step-label"
          >${step.label}!${step.state === 'todo' ? html`<span class="visually-hidden"> (not yet)</span>` : ''}</span
        >
        !${step.at === undefined ? '' : html`<span class="step-time">!${time(step.at)}</span>`}
        !${step.detail === undefined ? '' : html`<span class="step-detail">${step.detail}</span>`}
      </li>`,
  );
  const retry =
    sms.status === 'failed'
      ? html`<form
          method="post"
          action="/orders/${order.id}/sms/retry"
          class="sms-retry"
          data-busy-on-submit
        >
          !${csrfField(signedIn.csrfToken)}
          <button type="submit">Retry SMS</button>
          <span class="hint">Sends it again, with a fresh set of attempts.</span>
        </form>`
      : '';
  return html`<section class="panel" aria-labelledby="sms-heading">
    <div class="section-heading">
      <h2 id="sms-heading">SMS</h2>
      !${smsBadge(sms.status)}
    </div>
    <ol class="timeline" aria-label="What became of the SMS">
      !${steps}
    </ol>
    <dl class="details sms-details">
      <div>
        <dt>To</dt>
        <dd>${formatPhoneNumber(sms.toNumber)}</dd>
      </div>
      <div>
        <dt>Attempts</dt>
        <dd>${String(sms.attempts)}</dd>
      </div>
      <div>
        <dt>Last error</dt>
        <dd>${sms.lastError ?? 'None'}</dd>
      </div>
      <div>
        <dt>Gateway message id</dt>
        <dd class="break">
          ${sms.providerMessageId ?? (sms.status === 'failed' ? 'None' : 'Not sent yet')}
        </dd>
      </div>
    </dl>
    <p class="sms-body"><span class="muted">Text:</span> ${sms.body}</p>
    !${retry}
  </section>`;
}

export function orderPage(
  signedIn: SignedInFrame,
  order: Order,
  sms: SmsMessageRow | undefined,
): string {
  return layout(
    { title: order.item, signedIn },
    html`<p class="breadcrumbs"><a href="/orders">Orders</a></p>
      <div class="page-heading">
        <h1>${order.item}</h1>
        <div class="heading-actions">
          <a class="button secondary" href="/orders/${order.id}/edit">Edit</a>
          <a class="button danger" href="/orders/${order.id}/delete">Delete</a>
        </div>
      </div>
      <dl class="panel details">
        <div>
          <dt>Amount</dt>
          <dd>${formatMoney(order.amount, order.currency)}</dd>
        </div>
        <div>
          <dt>Customer</dt>
          <dd><a href="/customers/${order.customer.id}">${order.customer.name}</a></dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>!${time(order.createdAt)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>!${time(order.updatedAt)}</dd>
        </div>
      </dl>
      !${smsSection(signedIn, order, sms)}`,
  );
}

export function editOrderPage(
  signedIn: SignedInFrame,
  order: Order,
  values: OrderFormValues,
  errors?: FieldErrors,
): string {
  return layout(
    { title: `${errors === undefined ? '' : 'Error: '}Edit order`, signedIn },
    html`<p class="breadcrumbs"><a href="/orders/${order.id}">${order.item}</a></p>
      <h1>Edit order</h1>
      <form
        class="panel form"
        method="post"
        action="/orders/${order.id}/edit"
        novalidate
        data-busy-on-submit
      >
        !${errorSummary(errors, ORDER_FIELD_LABELS)} !${csrfField(signedIn.csrfToken)}
        !${orderFields(values, errors, order.currency)}
        <p class="hint">The SMS already sent is not sent again.</p>
        <div class="actions">
          <button type="submit">Save changes</button>
          <a href="/orders/${order.id}">Cancel</a>
        </div>
      </form>`,
  );
}

export function deleteOrderPage(signedIn: SignedInFrame, order: Order): string {
  return layout(
    { title: 'Delete order', signedIn },
    html`<p class="breadcrumbs"><a href="/orders/${order.id}">${order.item}</a></p>
      <h1>Delete order</h1>
      <form
        class="panel form confirm"
        method="post"
        action="/orders/${order.id}/delete"
        data-busy-on-submit
      >
        !${csrfField(signedIn.csrfToken)}
        <p class="confirm-question">
          Delete “${order.item}” (${formatMoney(order.amount, order.currency)}) of
          ${order.customer.name}?
        </p>
        <p>This cannot be undone. The record of its SMS is kept.</p>
        <div class="actions">
          <button type="submit" class="danger">Delete order</button>
          <a href="/orders/${order.id}">Cancel</a>
        </div>
      </form>`,
  );
}
