// What `npm run bench` loads: one row per route and case. A scenario is the HTTP
// request a client sends, and `ceiling`, the very statements the route sends (the
// objects and list builders of src/*/*.queries.ts) straight to PostgreSQL through the
// service's statement pool: the best the service could do on this database. A new
// case is one more row in SCENARIOS.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LIST_LIMIT_DEFAULT } from '../src/api/v1/schemas.ts';
import {
  customerById,
  customersListQuery,
  customersPage,
  CUSTOMERS_BY_CREATION,
  customerWithOrders,
  insertCustomer,
  type CustomerSearch,
} from '../src/customers/customers.queries.ts';
import type { Database } from '../src/db/client.ts';
import { decodeCursor, readKeysetPage, type Ordering } from '../src/db/keyset.ts';
import type { StatementPool, StatementRunner } from '../src/db/statement-pool.ts';
import { answerIdempotently, IDEMPOTENCY_HEADER } from '../src/http/idempotency.ts';
import {
  insertOrderWithSms,
  ORDER_ORDERINGS_SQL,
  orderById,
  ordersListQuery,
  ordersPage,
  orderWithSmsById,
  type OrderSearch,
} from '../src/orders/orders.queries.ts';

/** What requests pick from: seeded rows and fresh values. */
export interface Fixtures {
  /** A seeded customer, at random. */
  customerId(): string;
  /** A seeded order, at random. */
  orderId(): string;
  /** A phone number no request has used, and outside the seeded ones. */
  newPhoneNumber(): string;
  /** The page halfway through the seeded customers, 10 a page. */
  middleCustomersPage: number;
  /** The page halfway through the seeded orders, 10 a page. */
  middleOrdersPage: number;
  /** The resource API's cursor after the order halfway through, oldest first. */
  middleOrdersCursor: string;
  /** Part of a seeded customer's name, at random, that names few others. */
  customerNamePart(): string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Besides the credentials and the content type, which every request has. */
  headers?: Record<string, string>;
}

export interface Scenario {
  name: string;
  /**
   * Sent as a signed-in browser (the session cookie) instead of with the API token: the
   * dashboard's pages. Their target is time, not a share of a ceiling: a page under
   * 50 ms at p99 with 10,000 customers and 100,000 orders (the default seed).
   */
  signedInBrowser?: boolean;
  request: (fixtures: Fixtures) => HttpRequest;
  /**
   * One request's data statements, straight on the database; undefined for a route
   * that sends none. It leaves out the API token's lookup, which every authenticated
   * request also does (one indexed query), and what happens after the answer (the SMS
   * worker's wake-up and send).
   */
  ceiling?: (pool: StatementPool, fixtures: Fixtures) => Promise<unknown>;
}

const get = (path: string): HttpRequest => ({ method: 'GET', path });
const post = (path: string, body: unknown): HttpRequest => ({
  method: 'POST',
  path,
  body: JSON.stringify(body),
});

/** An order list's ordering by the name clients give it. */
function orderOrdering(name: string): Ordering {
  const ordering = ORDER_ORDERINGS_SQL[name];
  if (ordering === undefined) throw new Error(`no ordering ${name}`);
  return ordering;
}

// Built afresh for each page, as listOrders and listCustomers do: readKeysetPage adds
// its own parameters to the query's.
const ordersListPage = (
  pool: StatementPool,
  search: OrderSearch,
  ordering: string,
  cursor?: string,
) => {
  const order = orderOrdering(ordering);
  const position = cursor === undefined ? undefined : decodeCursor(cursor, order);
  const query = ordersListQuery(search, { ordering: order, limit: LIST_LIMIT_DEFAULT, position });
  return readKeysetPage(pool, query);
};

const customersListPage = (pool: StatementPool, search: CustomerSearch) =>
  readKeysetPage(
    pool,
    customersListQuery(search, {
      ordering: CUSTOMERS_BY_CREATION.created_at,
      limit: LIST_LIMIT_DEFAULT,
      position: undefined,
    }),
  );

const orderBody = (fixtures: Fixtures) => ({
  customer_id: fixtures.customerId(),
  item: 'bench item',
  amount: '123.45',
});

// The customer, then the order and its SMS row in one statement, as createOrder does.
async function addOrder(db: StatementRunner, customerId: string) {
  const [customer] = await customerById.rows(db, customerId);
  if (customer === undefined) throw new Error('no such customer');
  const [order] = await insertOrderWithSms.rows(
    db,
    randomUUID(),
    customer.id,
    'bench item',
    '123.45',
    'KES',
    customer.phoneNumber,
    `Hi ${customer.name}, we received your order: bench item, KES 123.45. Thank you!`,
  );
  return order;
}

// idempotency_keys.user_id has no foreign key: the ceiling's keys go under a user of
// their own, apart from the server's.
const CEILING_USER_ID = randomUUID();
const NOWHERE: unknown = { code: () => NOWHERE, header: () => NOWHERE, send: () => NOWHERE };

/**
 * The same order under a fresh Idempotency-Key. Its statements (the claim, then BEGIN,
 * the order, the answer's record, COMMIT) are private to http/idempotency.ts, so this
 * runs answerIdempotently itself, on the ceiling's pool: given the parts of a request
 * it reads and a reply that goes nowhere, it sends exactly what the route sends. The
 * answer it records is the order row, a little shorter than the route's JSON.
 */
async function addOrderIdempotently(pool: StatementPool, fixtures: Fixtures) {
  const body = orderBody(fixtures);
  const request = {
    method: 'POST',
    url: '/api/v1/orders',
    body,
    headers: { [IDEMPOTENCY_HEADER]: randomUUID() },
    identity: { user: { id: CEILING_USER_ID } },
  };
  await answerIdempotently(
    { statements: pool } as Database,
    request as unknown as FastifyRequest,
    NOWHERE as FastifyReply,
    async (transaction) => ({
      status: 201,
      body: await addOrder(transaction, body.customer_id),
    }),
  );
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'GET /healthz',
    request: () => get('/healthz'),
  },
  {
    name: 'GET /api/get-customers/ (page 1)',
    request: () => get('/api/get-customers/'),
    ceiling: (pool) => customersPage.rows(pool, 1),
  },
  {
    name: 'GET /api/get-customers/?page=<middle>',
    request: (fixtures) => get(`/api/get-customers/?page=${fixtures.middleCustomersPage}`),
    ceiling: (pool, fixtures) => customersPage.rows(pool, fixtures.middleCustomersPage),
  },
  {
    name: 'GET /api/get-customers/?page=last',
    request: () => get('/api/get-customers/?page=last'),
    ceiling: (pool) => customersPage.rows(pool, 0),
  },
  {
    name: 'GET /api/get-orders/ (page 1)',
    request: () => get('/api/get-orders/'),
    ceiling: (pool) => ordersPage.rows(pool, 1),
  },
  {
    name: 'GET /api/get-orders/?page=<middle>',
    request: (fixtures) => get(`/api/get-orders/?page=${fixtures.middleOrdersPage}`),
    ceiling: (pool, fixtures) => ordersPage.rows(pool, fixtures.middleOrdersPage),
  },
  {
    name: 'GET /api/get-orders/?page=last',
    request: () => get('/api/get-orders/?page=last'),
    ceiling: (pool) => ordersPage.rows(pool, 0),
  },
  {
    name: 'GET /api/view-customer/:id',
    request: (fixtures) => get(`/api/view-customer/${fixtures.customerId()}`),
    ceiling: (pool, fixtures) => customerWithOrders.rows(pool, fixtures.customerId()),
  },
  {
    name: 'GET /api/view-order/?order_id=',
    request: (fixtures) => get(`/api/view-order/?order_id=${fixtures.orderId()}`),
    ceiling: (pool, fixtures) => orderById.rows(pool, fixtures.orderId()),
  },
  {
    name: 'GET /api/view-order/?customer_id=',
    request: (fixtures) => get(`/api/view-order/?customer_id=${fixtures.customerId()}`),
    ceiling: (pool, fixtures) => customerWithOrders.rows(pool, fixtures.customerId()),
  },
  {
    name: 'POST /api/add-customer/',
    request: (fixtures) =>
      post('/api/add-customer/', {
        name: 'Bench Customer',
        phone_number: fixtures.newPhoneNumber(),
      }),
    ceiling: (pool, fixtures) =>
      insertCustomer.rows(pool, 'Bench Customer', fixtures.newPhoneNumber()),
  },
  {
    name: 'POST /api/add-order/',
    request: (fixtures) => post('/api/add-order/', orderBody(fixtures)),
    ceiling: (pool, fixtures) => addOrder(pool, fixtures.customerId()),
  },
  // The resource API. Its lists are cursor pages of LIST_LIMIT_DEFAULT (20) orders with
  // their customer and SMS, or customers; none asks for ?count=true, so each sends one
  // statement, as built by listOrders and listCustomers.
  {
    name: 'GET /api/v1/orders (page 1)',
    request: () => get('/api/v1/orders'),
    ceiling: (pool) => ordersListPage(pool, {}, 'created_at'),
  },
  {
    // As deep as `?page=<middle>` of /api/get-orders/, to set the two side by side: a
    // cursor names a position, not a count, so its page should cost what page 1 does.
    name: 'GET /api/v1/orders?cursor=<middle>',
    request: (fixtures) => get(`/api/v1/orders?cursor=${fixtures.middleOrdersCursor}`),
    ceiling: (pool, fixtures) =>
      ordersListPage(pool, {}, 'created_at', fixtures.middleOrdersCursor),
  },
  {
    name: 'GET /api/v1/orders?ordering=-amount',
    request: () => get('/api/v1/orders?ordering=-amount'),
    ceiling: (pool) => ordersListPage(pool, {}, '-amount'),
  },
  {
    name: 'GET /api/v1/orders?customer_id=',
    request: (fixtures) => get(`/api/v1/orders?customer_id=${fixtures.customerId()}`),
    ceiling: (pool, fixtures) =>
      ordersListPage(pool, { customerId: fixtures.customerId() }, 'created_at'),
  },
  {
    name: 'GET /api/v1/customers?q=<name part>',
    request: (fixtures) =>
      get(`/api/v1/customers?q=${encodeURIComponent(fixtures.customerNamePart())}`),
    ceiling: (pool, fixtures) =>
      customersListPage(pool, { nameContains: fixtures.customerNamePart() }),
  },
  {
    name: 'GET /api/v1/customers/:id',
    request: (fixtures) => get(`/api/v1/customers/${fixtures.customerId()}`),
    ceiling: (pool, fixtures) => customerById.rows(pool, fixtures.customerId()),
  },
  {
    name: 'GET /api/v1/orders/:id',
    request: (fixtures) => get(`/api/v1/orders/${fixtures.orderId()}`),
    ceiling: (pool, fixtures) => orderWithSmsById.rows(pool, fixtures.orderId()),
  },
  {
    name: 'POST /api/v1/orders',
    request: (fixtures) => post('/api/v1/orders', orderBody(fixtures)),
    ceiling: (pool, fixtures) => addOrder(pool, fixtures.customerId()),
  },
  {
    // A fresh key each time: every request claims it, then creates in a transaction.
    name: 'POST /api/v1/orders (Idempotency-Key)',
    request: (fixtures) => ({
      ...post('/api/v1/orders', orderBody(fixtures)),
      headers: { [IDEMPOTENCY_HEADER]: randomUUID() },
    }),
    ceiling: addOrderIdempotently,
  },
  // The dashboard's pages, each its statements and its HTML; no ceiling (see signedInBrowser).
  ...(
    [
      ['GET / (overview)', () => '/'],
      ['GET /customers', () => '/customers'],
      ['GET /customers?q=<name part>', (fixtures) => `/customers?q=${fixtures.customerNamePart()}`],
      ['GET /customers/:id', (fixtures) => `/customers/${fixtures.customerId()}`],
      ['GET /orders', () => '/orders'],
      ['GET /orders/:id', (fixtures) => `/orders/${fixtures.orderId()}`],
    ] as const satisfies readonly (readonly [string, (fixtures: Fixtures) => string])[]
  ).map(([name, path]): Scenario => ({
    name: `page ${name}`,
    signedInBrowser: true,
    request: (fixtures) => get(encodeURI(path(fixtures))),
  })),
];
