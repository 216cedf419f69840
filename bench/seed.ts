// The benchmark's data: customers with 10 orders each, made inside PostgreSQL (one
// INSERT … SELECT per table), so a million orders take seconds, not a million round
// trips. Plain INSERTs on purpose: the tables' triggers see them as the API's would.
import pg from 'pg';
import { encodeCursor } from '../src/db/keyset.ts';
import { ORDER_ORDERINGS_SQL } from '../src/orders/orders.queries.ts';
import type { Fixtures } from './scenarios.ts';

export const ORDERS_PER_CUSTOMER = 10;
/** Ids the requests pick from: enough to spread over the tables, few enough to hold. */
const SAMPLE = 100_000;
// Seeded phone numbers are +2547 and the customer's number in 8 digits (up to 00,100,000
// for 1M orders); new ones count up from here, far away.
const FIRST_NEW_PHONE_NUMBER = 50_000_000;

export async function seed(url: string, orderCount: number): Promise<Fixtures> {
  const customerCount = orderCount / ORDERS_PER_CUSTOMER;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A customer a minute, oldest first; their orders in the hours after.
    await client.query(
      `insert into customers (name, phone_number, created_at, updated_at)
       select 'Customer ' || n, '+2547' || lpad(n::text, 8, '0'),
              now() - make_interval(mins => $1 - n), now() - make_interval(mins => $1 - n)
       from generate_series(1, $1::int) as n`,
      [customerCount],
    );
    await client.query(
      `insert into orders (customer_id, item, amount, created_at, updated_at)
       select id, 'item ' || k, (k * 10 + 0.99)::numeric(12,2),
              created_at + make_interval(hours => k), created_at + make_interval(hours => k)
       from customers, generate_series(1, $1::int) as k`,
      [ORDERS_PER_CUSTOMER],
    );
    // Statistics for the planner, and the visibility map for index-only scans (count(*)).
    await client.query('vacuum (analyze) customers, orders');
    const customerIds = await sampleIds(client, 'customers');
    const orderIds = await sampleIds(client, 'orders');
    const middleOrdersCursor = await middleCursor(client, orderCount);
    let nextPhoneNumber = FIRST_NEW_PHONE_NUMBER;
    return {
      customerId: () => pick(customerIds),
      orderId: () => pick(orderIds),
      newPhoneNumber: () => `+2547${String(nextPhoneNumber++).padStart(8, '0')}`,
      middleCustomersPage: Math.ceil(customerCount / 10 / 2),
      middleOrdersPage: Math.ceil(orderCount / 10 / 2),
      middleOrdersCursor,
      // "tomer 4821" finds Customer 4821 and those whose number goes on from it (48210…):
      // one to eleven. Letters in it, or the search would look for a phone number.
      customerNamePart: () => `tomer ${1 + Math.floor(Math.random() * customerCount)}`,
    };
  } finally {
    await client.end();
  }
}

/**
 * The cursor of `next` on the page that ends halfway through the orders, oldest first,
 * as the service encodes it. Made from that row's sort key and id rather than by
 * following `next` from page 1: the same value, without the thousands of requests of
 * the walk (50,000 at a million orders). The key is the text keyset.ts reads a
 * timestamp as, to the microsecond; decodeCursor refuses any other.
 */
async function middleCursor(client: pg.Client, orderCount: number): Promise<string> {
  const { rows } = await client.query<{ id: string; key: string }>(
    `select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key
     from orders order by created_at, id offset $1 limit 1`,
    [orderCount / 2 - 1],
  );
  const [middle] = rows;
  const ordering = ORDER_ORDERINGS_SQL.created_at;
  if (middle === undefined || ordering === undefined) throw new Error('no middle order');
  return encodeCursor({ ...middle, backward: false, inclusive: false }, ordering);
}

async function sampleIds(client: pg.Client, table: 'customers' | 'orders'): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `select id from ${table} order by random() limit ${SAMPLE}`,
  );
  return rows.map((row) => row.id);
}

function pick(ids: string[]): string {
  const id = ids[Math.floor(Math.random() * ids.length)];
  if (id === undefined) throw new Error('nothing seeded to pick from');
  return id;
}
