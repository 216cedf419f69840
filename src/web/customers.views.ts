// The customers' templates: the list with its search (and the region htmx reloads
// as you type), the "Add customer" and "Edit customer" forms, the customer's page
// (details, totals, their orders, "Add order") and the delete confirmation.
import { html } from 'ghtml';
import type { FieldErrors } from '../core/errors.ts';
import type { Customer } from '../customers/customers.service.ts';
import type { CursorPage } from '../db/keyset.ts';
import type { CustomerOrderTotals, OrderWithSms } from '../orders/orders.service.ts';
import { formatDateTime, formatMoney, formatPhoneNumber } from './format.ts';
import { csrfField, errorSummary, textField } from './forms.ts';
import { layout, type SignedInFrame } from './layout.ts';
import { dataTable } from './tables.ts';
import {
  ORDER_FIELD_LABELS,
  orderFields,
  pager as cursorPager,
  smsBadge,
  type OrderFormValues,
} from './orders.views.ts';

/** The list's region that search-as-you-type replaces (hx-target). */
export const CUSTOMER_RESULTS_ID = 'customer-results';

/** What the list shows, as its address says: `/customers?q=…&ordering=…&cursor=…`. */
export interface CustomerListView {
  q: string;
  ordering: 'newest' | 'oldest';
}

export function customerListPage(
  signedIn: SignedInFrame,
  view: CustomerListView,
  page: CursorPage<Customer>,
): string {
  return layout(
    { title: 'Customers', signedIn },
    html`<div class="page-heading">
        <h1>Customers</h1>
        <a class="button" href="/customers/new">Add customer</a>
      </div>
      <form
        class="toolbar"
        method="get"
        action="/customers"
        role="search"
        hx-get="/customers"
        hx-trigger="input delay:300ms, submit"
        hx-target="#${CUSTOMER_RESULTS_ID}"
        hx-push-url="true"
      >
        <div class="field grow">
          <label for="field-q">Search by name or phone number</label>
          <input
            id="field-q"
            name="q"
            type="search"
            value="${view.q}"
            autocomplete="off"
            spellcheck="false"
          />
        </div>
        <div class="field">
          <label for="field-ordering">Order</label>
          <select id="field-ordering" name="ordering">
            <option value="newest" !${view.ordering === 'newest' ? ' selected' : ''}>
              Newest first
            </option>
            <option value="oldest" !${view.ordering === 'oldest' ? ' selected' : ''}>
              Oldest first
            </option>
          </select>
        </div>
        <button type="submit" class="secondary">Search</button>
        <span class="htmx-indicator" aria-hidden="true">Searching…</span>
      </form>
      <div id="${CUSTOMER_RESULTS_ID}" class="results">!${customerResults(view, page)}</div>`,
  );
}

/** The results region alone: the whole answer to htmx's search-as-you-type. */
export function customerResults(view: CustomerListView, page: CursorPage<Customer>): string {
  if (page.rows.length === 0) return emptyCustomerList(view);
  const rows = page.rows.map(
    (customer) =>
      html`<tr>
        <th scope="row" data-label="Name">
          <a href="/customers/${customer.id}">${customer.name}</a>
        </th>
        <td data-label="Phone">
          <span class="nowrap">${formatPhoneNumber(customer.phoneNumber)}</span>
        </td>
        <td data-label="Added">
          <time datetime="${customer.createdAt.toISOString()}"
            >${formatDateTime(customer.createdAt)}</time
          >
        </td>
      </tr>`,
  );
  return html`<p class="result-summary" role="status">!${resultSummary(view, page.rows.length)}</p>
    !${dataTable(['Name', 'Phone', 'Added'], rows)} !${pager(view, page)}`;
}

function resultSummary(view: CustomerListView, shown: number): string {
  const count = `${shown} customer${shown === 1 ? '' : 's'}`;
  return view.q === ''
    ? html`Showing ${count}, ${view.ordering} first.`
    : html`Showing ${count} matching “${view.q}”.`;
}

function emptyCustomerList(view: CustomerListView): string {
  if (view.q !== '') {
    return html`<div class="empty-state" role="status">
      <h2>No customer matches “${view.q}”</h2>
      <p>
        Search by part of the name, or by the start of the phone number in any notation (+254 701…,
        0701…). Or add them:
      </p>
      <p><a class="button" href="/customers/new">Add customer</a></p>
    </div>`;
  }
  return html`<div class="empty-state" role="status">
    <h2>No customers yet</h2>
    <p>
      Customers you add appear here, newest first. Add the first one with their name and phone
      number.
    </p>
    <p><a class="button" href="/customers/new">Add customer</a></p>
  </div>`;
}

function pager(view: CustomerListView, page: CursorPage<Customer>): string {
  if (page.previous === undefined && page.next === undefined) return '';
  const link = (cursor: string | undefined, label: string, rel: string) =>
    cursor === undefined
      ? html`<span class="button secondary disabled" aria-disabled="true">${label}</span>`
      : html`<a class="button secondary" rel="${rel}" href="${customerListUrl(view, cursor)}"
          >${label}</a
        >`;
  return html`<nav class="pager" aria-label="Pages">
    !${link(page.previous, '← Previous', 'prev')} !${link(page.next, 'Next →', 'next')}
  </nav>`;
}

/** The list's address for a view and a page, leaving out what is the default. */
export function customerListUrl(view: CustomerListView, cursor?: string): string {
  const query = new URLSearchParams();
  if (view.q !== '') query.set('q', view.q);
  if (view.ordering !== 'newest') query.set('ordering', view.ordering);
  if (cursor !== undefined) query.set('cursor', cursor);
  const search = query.toString();
  return search === '' ? '/customers' : `/customers?${search}`;
}

/** What the "Add customer" form holds: what was typed, kept when it comes back with errors. */
export interface CustomerFormValues {
  name?: string | undefined;
  phone_number?: string | undefined;
}

const CUSTOMER_FIELD_LABELS = { name: 'Name', phone_number: 'Phone number' };

/** Name and phone number, for "Add customer" and "Edit customer" alike. */
function customerFields(values: CustomerFormValues, errors: FieldErrors | undefined): string {
  return html`!${textField({
    name: 'name',
    label: CUSTOMER_FIELD_LABELS.name,
    value: values.name,
    errors,
    autocomplete: 'off',
    maxLength: 100,
  })}
  !${textField({
    name: 'phone_number',
    label: CUSTOMER_FIELD_LABELS.phone_number,
    hint: 'With the country code, in any notation: +254 701 036054. Each customer has their own.',
    value: values.phone_number,
    errors,
    type: 'tel',
    autocomplete: 'off',
  })}`;
}

export function newCustomerPage(
  signedIn: SignedInFrame,
  values: CustomerFormValues,
  errors?: FieldErrors,
): string {
  return layout(
    { title: errors === undefined ? 'Add customer' : 'Error: Add customer', signedIn },
    html`<p class="breadcrumbs"><a href="/customers">Customers</a></p>
      <h1>Add customer</h1>
      <form class="panel form" method="post" action="/customers" novalidate data-busy-on-submit>
        !${errorSummary(errors, CUSTOMER_FIELD_LABELS)} !${csrfField(signedIn.csrfToken)}
        !${customerFields(values, errors)}
        <div class="actions">
          <button type="submit">Add customer</button>
          <a href="/customers">Cancel</a>
        </div>
      </form>`,
  );
}

/** What a customer's page shows besides their details: orders, totals, and the "Add order" form. */
export interface CustomerPageParts {
  orders: CursorPage<OrderWithSms>;
  totals: CustomerOrderTotals;
  currency: string;
  /** What was typed in "Add order" and its errors, when it came back. */
  orderForm?: { values: OrderFormValues; errors: FieldErrors } | undefined;
}

/** The customer's page: details, totals, "Add order", their orders newest first. */
export function customerPage(
  signedIn: SignedInFrame,
  customer: Customer,
  parts: CustomerPageParts,
): string {
  const { orders, totals, orderForm } = parts;
  const totalsText =
    totals.byCurrency.length === 0
      ? html`None yet`
      : totals.byCurrency.map(({ currency, amount }) => formatMoney(amount, currency)).join(' · ');
  return layout(
    { title: orderForm === undefined ? customer.name : `Error: ${customer.name}`, signedIn },
    html`<p class="breadcrumbs"><a href="/customers">Customers</a></p>
      <div class="page-heading">
        <h1>${customer.name}</h1>
        <div class="heading-actions">
          <a class="button secondary" href="/customers/${customer.id}/edit">Edit</a>
          <a class="button danger" href="/customers/${customer.id}/delete">Delete</a>
        </div>
      </div>
      <dl class="panel details">
        <div>
          <dt>Phone number</dt>
          <dd>${formatPhoneNumber(customer.phoneNumber)}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>
            <time datetime="${customer.createdAt.toISOString()}"
              >${formatDateTime(customer.createdAt)}</time
            >
          </dd>
        </div>
        <div>
          <dt>Orders</dt>
          <dd>${String(totals.orders)}</dd>
        </div>
        <div>
          <dt>Total ordered</dt>
          <dd>${totalsText}</dd>
        </div>
      </dl>
      <div class="customer-columns">
        <section class="panel add-order" aria-labelledby="add-order-heading">
          <h2 id="add-order-heading">Add order</h2>
          <form
            method="post"
            action="/customers/${customer.id}/orders"
            novalidate
            data-busy-on-submit
          >
            !${errorSummary(orderForm?.errors, ORDER_FIELD_LABELS)}
            !${csrfField(signedIn.csrfToken)}
            !${orderFields(orderForm?.values ?? {}, orderForm?.errors, parts.currency)}
            <p class="hint">The customer gets an SMS about the order at once.</p>
            <div class="actions">
              <button type="submit">Add order</button>
            </div>
          </form>
        </section>
        <section class="customer-orders" aria-labelledby="orders-heading">
          <div class="section-heading">
            <h2 id="orders-heading">Orders</h2>
            !${
              totals.orders === 0
                ? ''
                : html`<a href="/orders?customer_id=${customer.id}">Filter all their orders</a>`
            }
          </div>
          !${customerOrders(customer, orders)}
        </section>
      </div>`,
  );
}

function customerOrders(customer: Customer, orders: CursorPage<OrderWithSms>): string {
  if (orders.rows.length === 0) {
    return html`<div class="empty-state" role="status">
      <h2>No orders yet</h2>
      <p>Add their first order with the form: what they ordered and the amount.</p>
    </div>`;
  }
  const rows = orders.rows.map(
    (order) =>
      html`<tr>
        <th scope="row" data-label="Item"><a href="/orders/${order.id}">${order.item}</a></th>
        <td data-label="Amount" class="amount">
          <span class="nowrap">${formatMoney(order.amount, order.currency)}</span>
        </td>
        <td data-label="SMS">!${smsBadge(order.sms?.status)}</td>
        <td data-label="Created">
          <time datetime="${order.createdAt.toISOString()}"
            >${formatDateTime(order.createdAt)}</time
          >
        </td>
      </tr>`,
  );
  return html`!${dataTable(['Item', 'Amount', 'SMS', 'Created'], rows)}
  !${cursorPager(
    (cursor) => `/customers/${customer.id}?${new URLSearchParams({ cursor }).toString()}`,
    orders,
    'Pages of orders',
  )}`;
}

export function editCustomerPage(
  signedIn: SignedInFrame,
  customer: Customer,
  values: CustomerFormValues,
  errors?: FieldErrors,
): string {
  return layout(
    { title: `${errors === undefined ? '' : 'Error: '}Edit ${customer.name}`, signedIn },
    html`<p class="breadcrumbs"><a href="/customers/${customer.id}">${customer.name}</a></p>
      <h1>Edit customer</h1>
      <form
        class="panel form"
        method="post"
        action="/customers/${customer.id}/edit"
        novalidate
        data-busy-on-submit
      >
        !${errorSummary(errors, CUSTOMER_FIELD_LABELS)} !${csrfField(signedIn.csrfToken)}
        !${customerFields(values, errors)}
        <div class="actions">
          <button type="submit">Save changes</button>
          <a href="/customers/${customer.id}">Cancel</a>
        </div>
      </form>`,
  );
}

export function deleteCustomerPage(
  signedIn: SignedInFrame,
  customer: Customer,
  orderCount: number,
): string {
  const orders = `${orderCount} order${orderCount === 1 ? '' : 's'}`;
  return layout(
    { title: `Delete ${customer.name}`, signedIn },
    html`<p class="breadcrumbs"><a href="/customers/${customer.id}">${customer.name}</a></p>
      <h1>Delete customer</h1>
      <form
        class="panel form confirm"
        method="post"
        action="/customers/${customer.id}/delete"
        data-busy-on-submit
      >
        !${csrfField(signedIn.csrfToken)}
        <p class="confirm-question">
          ${
            orderCount === 0
              ? `Delete ${customer.name}? They have no orders.`
              : `Delete ${customer.name} and their ${orders}?`
          }
        </p>
        <p>
          ${
            orderCount === 0
              ? 'This cannot be undone.'
              : `Their ${orders} are deleted with them. This cannot be undone; the records of SMS already sent are kept.`
          }
        </p>
        <div class="actions">
          <button type="submit" class="danger">
            ${orderCount === 0 ? 'Delete customer' : `Delete customer and ${orders}`}
          </button>
          <a href="/customers/${customer.id}">Cancel</a>
        </div>
      </form>`,
  );
}
