// `npm run bench`: load on the hot routes of a real server (a child process, as
// `npm start` runs it) next to the database's own limit for the same work (the same
// SQL from a plain connection pool, no HTTP), so each figure says how much of the
// database's capacity the service turns into answers.
//
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=50 npm run bench
//   SMS_WORKER=off npm run bench                    (the API without its in-process worker)
//   BENCH_DATABASE_URL=postgres://… npm run bench   (a throwaway database on that server;
//                                                   without it, a throwaway embedded PostgreSQL)
//
// It is a measurement, not a test: it asserts nothing and prints a table.
import { once } from 'node:events';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { connect, runMigrations } from '../src/db/client.ts';
import { benchDatabase, makeToken, startBenchServer } from './harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CUSTOMERS = 10_000;
const ORDERS_PER_CUSTOMER = 5;
const logger = pino({ level: 'warn' });

interface Scenario {
  name: string;
  request: (customerId: string) => { method: 'GET' | 'POST'; path: string; body?: string };
  /** The same work straight on the database, as named statements: its best case. */
  sql: (query: NamedQuery, customerId: string) => Promise<unknown>;
}

type NamedQuery = (text: string, values?: unknown[]) => Promise<unknown>;

const SCENARIOS: Scenario[] = [
  {
    name: 'GET /healthz',
    request: () => ({ method: 'GET', path: '/healthz' }),
    sql: (query) => query('select 1'),
  },
  {
    name: 'GET /api/get-customers/?page=100',
    request: () => ({ method: 'GET', path: '/api/get-customers/?page=100' }),
    sql: (query) =>
      Promise.all([
        query('select count(*) from customers'),
        query('select * from customers order by created_at, id limit 10 offset 990'),
      ]),
  },
  {
    name: 'GET /api/view-customer/:id',
    request: (id) => ({ method: 'GET', path: `/api/view-customer/${id}` }),
    sql: (query, id) =>
      Promise.all([
        query('select * from customers where id = $1', [id]),
        query('select * from orders where customer_id = $1 order by created_at, id', [id]),
      ]),
  },
  {
    name: 'POST /api/add-order/',
    request: (id) => ({
      method: 'POST',
      path: '/api/add-order/',
      body: JSON.stringify({ customer_id: id, item: 'bench item', amount: '123.45' }),
    }),
    // The order and its SMS row in one transaction, as createOrder does. The server
    // also wakes the workers (one NOTIFY per few milliseconds) and sends each SMS (its
    // worker runs in-process, log provider): work this column does not include.
    sql: async (query, id) => {
      await query('begin');
      await query('select * from customers where id = $1', [id]);
      await query(
        `with new_order as (
           insert into orders (customer_id, item, amount, currency)
           values ($1, 'bench item', '123.45', 'KES') returning id)
         insert into sms_messages (order_id, to_number, body)
         select id, '+254701036054', 'text' from new_order returning *`,
        [id],
      );
      await query('commit');
    },
  },
];

async function main() {
  const { url, cleanup } = await benchDatabase();
  try {
    const ids = await seed(url);
    const token = await makeToken(url);
    // The load is one user: lift the per-user rate limit, which would otherwise answer
    // 429. SMS_WORKER=off measures the API without the in-process SMS worker.
    const server = await startBenchServer(url, {
      RATE_LIMIT_API: '9999999/1m',
      SMS_WORKER: process.env.SMS_WORKER ?? 'on',
    });
    try {
      console.log(
        `\n${SECONDS}s per run, ${CONNECTIONS} connections, ${CUSTOMERS} customers, ${CUSTOMERS * ORDERS_PER_CUSTOMER} orders\n`,
      );
      const rows = [];
      for (const scenario of SCENARIOS) {
        const http = await loadHttp(server.baseUrl, token, scenario, ids);
        const database = await loadDatabase(url, scenario, ids);
        rows.push({
          scenario: scenario.name,
          'HTTP req/s': Math.round(http.requestsPerSecond),
          'p50 ms': http.p50,
          'p99 ms': http.p99,
          'non-2xx': http.errors,
          'database alone ops/s': Math.round(database),
          'share of database limit': `${Math.round((100 * http.requestsPerSecond) / database)}%`,
        });
      }
      console.table(rows);
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
  } finally {
    await cleanup();
  }
}

async function seed(url: string): Promise<string[]> {
  const db = connect(url, 2, logger);
  try {
    await runMigrations(db.pool);
    await db.pool.query(
      `insert into customers (name, phone_number, created_at)
       select 'Customer ' || n, '+2547' || lpad(n::text, 8, '0'), now() - make_interval(secs => $1 - n)
       from generate_series(1, $1) as n`,
      [CUSTOMERS],
    );
    await db.pool.query(
      `insert into orders (customer_id, item, amount)
       select id, 'item ' || k, (k * 10 + 0.99)::numeric(12,2)
       from customers, generate_series(1, $1) as k`,
      [ORDERS_PER_CUSTOMER],
    );
    await db.pool.query('analyze');
    const { rows } = await db.pool.query<{ id: string }>('select id from customers');
    return rows.map((row) => row.id);
  } finally {
    await db.close();
  }
}

function pick(ids: string[]): string {
  return ids[Math.floor(Math.random() * ids.length)] ?? '';
}

async function loadHttp(baseUrl: string, token: string, scenario: Scenario, ids: string[]) {
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => {
          const next = scenario.request(pick(ids));
          return {
            ...request,
            method: next.method,
            path: next.path,
            body: next.body,
            headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
          };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

/** Operations per second of the scenario's SQL, with as many clients as HTTP had connections. */
async function loadDatabase(url: string, scenario: Scenario, ids: string[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  let operations = 0;
  const deadline = Date.now() + SECONDS * 1000;
  try {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const client = await pool.connect();
        // The statement's text is its name: parsed and planned once per connection.
        const query: NamedQuery = (text, values) => client.query({ name: text, text, values });
        try {
          while (Date.now() < deadline) {
            await scenario.sql(query, pick(ids));
            operations += 1;
          }
        } finally {
          client.release();
        }
      }),
    );
  } finally {
    await pool.end();
  }
  return operations / SECONDS;
}

await main();
