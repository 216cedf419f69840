// What `npm run bench` loads: one row per route and case. A scenario is the HTTP
// request a client sends, and `ceiling`, the very statements the route sends (the
// objects of src/*/*.queries.ts) straight to PostgreSQL through the service's statement
// pool: the best the service could do on this database. A new case is one more row in SCENARIOS.
import { randomUUID } from 'node:crypto';
import {
  customerById,
  customersPage,
  customerWithOrders,
  insertCustomer,
} from '../src/customers/customers.queries.ts';
import type { StatementPool } from '../src/db/statement-pool.ts';
import { insertOrderWithSms, orderById, ordersPage } from '../src/orders/orders.queries.ts';

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
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface Scenario {
  name: string;
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
    request: (fixtures) =>
      post('/api/add-order/', {
        customer_id: fixtures.customerId(),
        item: 'bench item',
        amount: '123.45',
      }),
    // The customer, then the order and its SMS row in one statement, as createOrder does.
    ceiling: async (pool, fixtures) => {
      const [customer] = await customerById.rows(pool, fixtures.customerId());
      if (customer === undefined) throw new Error('no such customer');
      await insertOrderWithSms.rows(
        pool,
        randomUUID(),
        customer.id,
        'bench item',
        '123.45',
        'KES',
        customer.phoneNumber,
        `Hi ${customer.name}, we received your order: bench item, KES 123.45. Thank you!`,
      );
    },
  },
];
