// The statement pool's transactions (db/statement-pool.ts) on a real PostgreSQL.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openStatementPool } from '../src/db/statement-pool.ts';
import { buildTestApp } from './helpers/build-app.ts';

const { databaseUrl } = await buildTestApp({ after });
const timeouts = { connectMs: 5000, statementMs: 5000 };

test('when the first use of a new pool is a transaction, it runs and commits', async (t) => {
  // postgres.js's reserve() waited for ever here: nothing had opened a connection yet.
  const pool = openStatementPool(databaseUrl, 2, timeouts);
  t.after(() => pool.end());
  let committed = false;
  const answer = await pool.transaction(async (transaction) => {
    transaction.afterCommit(() => (committed = true));
    const [row] = await transaction.run<{ level: string }>('select current_setting($1) as level', [
      'transaction_isolation',
    ]);
    const [inside] = await transaction.run<{ now: Date }>('select now() as now', []);
    const [again] = await transaction.run<{ now: Date }>('select now() as now', []);
    assert.equal(inside?.now.getTime(), again?.now.getTime(), 'one transaction: one now()');
    return row?.level;
  });
  assert.equal(answer, 'read committed');
  assert.equal(committed, true);
});

test('when the work of a transaction throws, what it wrote is rolled back and nothing runs after commit', async (t) => {
  const pool = openStatementPool(databaseUrl, 2, timeouts);
  const table = `rollback_probe_${process.pid}`;
  await pool.run(`create table ${table} (id int)`, []);
  t.after(async () => {
    await pool.run(`drop table ${table}`, []);
    await pool.end();
  });
  let committed = false;
  await assert.rejects(
    pool.transaction(async (transaction) => {
      transaction.afterCommit(() => (committed = true));
      await transaction.run(`insert into ${table} values (1)`, []);
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  assert.equal((await pool.run(`select * from ${table}`, [])).length, 0);
  assert.equal(committed, false);
});
