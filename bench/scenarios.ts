// What `npm run bench` loads: one row per route and case. A scenario is the HTTP
// request a client sends, and `ceiling`, the same data statements the route sends
// today straight to PostgreSQL through pg, the best the service could do on this
// database. A new case is one more row in SCENARIOS.
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** A named prepared statement, the shape main's `*.queries.ts` modules will export. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/**
 * A statement named by a hash of its text: parsed and planned once per connection.
 * PostgreSQL truncates names longer than 63 bytes (NAMEDATALEN) with a notice, which
 * naming statements by their text caused on every connection.
 */
export function statement(text: string): Statement {
  return { name: `bench_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text };
}

/** Anything pg can run a statement on: the pool, or one client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

export function run(db: Queryable, { name, text }: Statement, values: unknown[] = []) {
  return db.query({ name, text, values });
}

export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

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
  ceiling?: (pool: pg.Pool, fixtures: Fixtures) => Promise<unknown>;
}

// The statements as the routes send them today (drizzle's text, read from its
// toSQL()): src/customers/customers.service.ts, src/orders/orders.service.ts and
// src/sms/outbox.ts. Point these at the exported statement objects once main has them.
const CUSTOMER_COLUMNS = `"id", "name", "phone_number", "created_at", "updated_at"`;
const ORDER_COLUMNS = `"id", "customer_id", "item", "amount", "currency", "created_at", "updated_at"`;
const ORDER_WITH_CUSTOMER_COLUMNS =
  `"orders"."id", "orders"."customer_id", "orders"."item", "orders"."amount", "orders"."currency", ` +
  `"orders"."created_at", "orders"."updated_at", "customers"."id", "customers"."name", ` +
  `"customers"."phone_number", "customers"."created_at", "customers"."updated_at"`;
const SMS_COLUMNS =
  `"id", "order_id", "to_number", "body", "status", "attempts", "next_attempt_at", "claimed_by", ` +
  `"send_ends_by", "provider", "provider_message_id", "cost", "last_error", "created_at", ` +
  `"updated_at", "sent_at", "delivered_at"`;

const sql = {
  countCustomers: statement(`select count(*) from "customers"`),
  customersPage: statement(
    `select ${CUSTOMER_COLUMNS} from "customers" order by "customers"."created_at" asc, "customers"."id" asc limit $1 offset $2`,
  ),
  customerById: statement(
    `select ${CUSTOMER_COLUMNS} from "customers" where "customers"."id" = $1`,
  ),
  ordersOfCustomer: statement(
    `select ${ORDER_COLUMNS}, extract(microseconds from "created_at")::int % 1000000 from "orders" where "orders"."customer_id" = $1 order by "orders"."created_at" asc, "orders"."id" asc`,
  ),
  insertCustomer: statement(
    `insert into "customers" (${CUSTOMER_COLUMNS}) values (default, $1, $2, default, default) on conflict ("phone_number") do nothing returning ${CUSTOMER_COLUMNS}`,
  ),
  countOrders: statement(`select count(*) from "orders"`),
  ordersPage: statement(
    `select ${ORDER_WITH_CUSTOMER_COLUMNS} from "orders" inner join "customers" on "orders"."customer_id" = "customers"."id" order by "orders"."created_at" asc, "orders"."id" asc limit $1 offset $2`,
  ),
  orderById: statement(
    `select ${ORDER_WITH_CUSTOMER_COLUMNS} from "orders" inner join "customers" on "orders"."customer_id" = "customers"."id" where "orders"."id" = $1`,
  ),
  insertOrder: statement(
    `insert into "orders" (${ORDER_COLUMNS}) values (default, $1, $2, $3, $4, default, default) returning ${ORDER_COLUMNS}`,
  ),
  insertSms: statement(
    `insert into "sms_messages" (${SMS_COLUMNS}) values (default, $1, $2, $3, default, default, default, default, default, default, default, default, default, default, default, default, default) returning ${SMS_COLUMNS}`,
  ),
};

const PAGE_SIZE = 10;

/**
 * The original API's pages (src/legacy/pagination.ts): the total and the rows at once;
 * `?page=last` fetches page 1 with its total first, then the last page with its total.
 */
async function legacyPage(
  pool: pg.Pool,
  count: Statement,
  rows: Statement,
  page: number | 'last',
): Promise<void> {
  const fetch = (pageNumber: number) =>
    Promise.all([run(pool, count), run(pool, rows, [PAGE_SIZE, (pageNumber - 1) * PAGE_SIZE])]);
  const [total] = await fetch(page === 'last' ? 1 : page);
  if (page !== 'last') return;
  const pageCount = Math.ceil(Number((total.rows[0] as { count: string }).count) / PAGE_SIZE);
  if (pageCount > 1) await fetch(pageCount);
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
    ceiling: (pool) => legacyPage(pool, sql.countCustomers, sql.customersPage, 1),
  },
  {
    name: 'GET /api/get-customers/?page=<middle>',
    request: (fixtures) => get(`/api/get-customers/?page=${fixtures.middleCustomersPage}`),
    ceiling: (pool, fixtures) =>
      legacyPage(pool, sql.countCustomers, sql.customersPage, fixtures.middleCustomersPage),
  },
  {
    name: 'GET /api/get-customers/?page=last',
    request: () => get('/api/get-customers/?page=last'),
    ceiling: (pool) => legacyPage(pool, sql.countCustomers, sql.customersPage, 'last'),
  },
  {
    name: 'GET /api/get-orders/ (page 1)',
    request: () => get('/api/get-orders/'),
    ceiling: (pool) => legacyPage(pool, sql.countOrders, sql.ordersPage, 1),
  },
  {
    name: 'GET /api/get-orders/?page=<middle>',
    request: (fixtures) => get(`/api/get-orders/?page=${fixtures.middleOrdersPage}`),
    ceiling: (pool, fixtures) =>
      legacyPage(pool, sql.countOrders, sql.ordersPage, fixtures.middleOrdersPage),
  },
  {
    name: 'GET /api/get-orders/?page=last',
    request: () => get('/api/get-orders/?page=last'),
    ceiling: (pool) => legacyPage(pool, sql.countOrders, sql.ordersPage, 'last'),
  },
  {
    name: 'GET /api/view-customer/:id',
    request: (fixtures) => get(`/api/view-customer/${fixtures.customerId()}`),
    // Customer and orders at once, as getCustomerWithOrders does.
    ceiling: (pool, fixtures) => {
      const id = fixtures.customerId();
      return Promise.all([
        run(pool, sql.customerById, [id]),
        run(pool, sql.ordersOfCustomer, [id]),
      ]);
    },
  },
  {
    name: 'GET /api/view-order/?order_id=',
    request: (fixtures) => get(`/api/view-order/?order_id=${fixtures.orderId()}`),
    ceiling: (pool, fixtures) => run(pool, sql.orderById, [fixtures.orderId()]),
  },
  {
    name: 'GET /api/view-order/?customer_id=',
    request: (fixtures) => get(`/api/view-order/?customer_id=${fixtures.customerId()}`),
    ceiling: (pool, fixtures) => {
      const id = fixtures.customerId();
      return Promise.all([
        run(pool, sql.customerById, [id]),
        run(pool, sql.ordersOfCustomer, [id]),
      ]);
    },
  },
  {
    name: 'POST /api/add-customer/',
    request: (fixtures) =>
      post('/api/add-customer/', {
        name: 'Bench Customer',
        phone_number: fixtures.newPhoneNumber(),
      }),
    ceiling: (pool, fixtures) =>
      run(pool, sql.insertCustomer, ['Bench Customer', fixtures.newPhoneNumber()]),
  },
  {
    name: 'POST /api/add-order/',
    request: (fixtures) =>
      post('/api/add-order/', {
        customer_id: fixtures.customerId(),
        item: 'bench item',
        amount: '123.45',
      }),
    // The customer, the order and its SMS row in one transaction, as createOrder does.
    ceiling: (pool, fixtures) =>
      transaction(pool, async (client) => {
        const id = fixtures.customerId();
        const { rows } = await run(client, sql.customerById, [id]);
        const customer = rows[0] as { phone_number: string; name: string };
        const order = await run(client, sql.insertOrder, [id, 'bench item', '123.45', 'KES']);
        const orderId = (order.rows[0] as { id: string }).id;
        await run(client, sql.insertSms, [
          orderId,
          customer.phone_number,
          `Hi ${customer.name}, we have your order: bench item, KES 123.45. Thank you!`,
        ]);
      }),
  },
];
