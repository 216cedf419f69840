// `node bench/drivers.ts`: the hot statements through two drivers, node-postgres
// (`pg`) and porsager's `postgres` (which pipelines queries on a connection), at the
// same concurrency, with no HTTP. It chose `postgres` for the hot statements; the
// figures are in bench/README.md. Needs a database with data: BENCH_DATABASE_URL, or
// a throwaway embedded PostgreSQL seeded with 10,000 customers and 100,000 orders.
import pg from 'pg';
import pino from 'pino';
import postgres from 'postgres';
import { customersPage, customerWithOrders } from '../src/customers/customers.queries.ts';
import { connect, runMigrations } from '../src/db/client.ts';
import type { Statement } from '../src/db/statement.ts';
import { orderById, ordersPage } from '../src/orders/orders.queries.ts';
import { benchDatabase } from './harness.ts';
import type { Fixtures } from './scenarios.ts';
import { seed } from './seed.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

type AnyStatement = Statement<object, unknown[]>;

const STATEMENTS: [string, AnyStatement, (fixtures: Fixtures) => unknown[]][] = [
  ['customer with orders', customerWithOrders, (f) => [f.customerId()]],
  ['order by id', orderById, (f) => [f.orderId()]],
  ['orders page 1', ordersPage, () => [1]],
  ['customers page last', customersPage, () => [0]],
];

/** Operations per second of `run`, called in a loop by `concurrency` callers at once. */
async function rate(concurrency: number, run: () => Promise<unknown>): Promise<number> {
  let operations = 0;
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await run();
        operations += 1;
      }
    }),
  );
  return operations / SECONDS;
}

async function main() {
  const { url, cleanup } = await benchDatabase();
  try {
    const db = connect(url, 1, pino({ level: 'warn' }));
    await runMigrations(db.pool).finally(() => db.close());
    const fixtures = await seed(url, 100_000);
    const rows = [];
    for (const connections of [16, 64]) {
      // One driver's connections at a time: both at 64 would pass max_connections.
      const pool = new pg.Pool({ connectionString: url, max: connections });
      const viaPg = [];
      for (const [index, [, statement, params]] of STATEMENTS.entries()) {
        // Named: prepared once per connection, as postgres.js does with `prepare`.
        const query = () =>
          pool.query({ name: `s${index}`, text: statement.text, values: params(fixtures) });
        viaPg.push(await rate(connections, query));
      }
      await pool.end();
      const porsager = postgres(url, { max: connections, onnotice: () => {} });
      for (const [index, [name, statement, params]] of STATEMENTS.entries()) {
        const viaPostgres = await rate(connections, () =>
          porsager.unsafe(statement.text, params(fixtures) as string[], { prepare: true }),
        );
        const pgRate = viaPg[index] ?? 0;
        rows.push({
          statement: name,
          connections,
          'pg ops/s': Math.round(pgRate),
          'postgres ops/s': Math.round(viaPostgres),
          'postgres ÷ pg': (viaPostgres / pgRate).toFixed(2),
        });
      }
      await porsager.end();
    }
    console.table(rows);
  } finally {
    await cleanup();
  }
}

await main();
