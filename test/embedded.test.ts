import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';

const logger = pino({ level: 'silent' });

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

test('the embedded server keeps its cluster, joins a running server, and recovers from a stale pid file', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'customer-orders-embedded-'));
  await chmod(dataDir, 0o755);
  t.after(() => rm(dataDir, { recursive: true, force: true }));

  const first = await startEmbeddedPostgres(dataDir, logger);
  await query(first.url, "create table marker (note text); insert into marker values ('kept')");

  await t.test(
    'when a second process starts on the same folder, it connects to the running server',
    async () => {
      const second = await startEmbeddedPostgres(dataDir, logger);
      assert.equal(new URL(second.url).port, new URL(first.url).port);
      await second.stop(); // the first still uses it: it keeps running
      assert.equal((await query(first.url, 'select note from marker')).rows[0]?.note, 'kept');
    },
  );

  await first.stop();

  await t.test(
    'when a crash left a postmaster.pid naming a live, unrelated process, it still starts',
    async (subtest) => {
      const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
      // Our own pid: alive, but not PostgreSQL, and nothing listens on the port.
      await writeFile(
        pidFile,
        `${process.pid}\n${path.join(dataDir, 'postgres')}\n0\n1\n\n127.0.0.1\n`,
      );
      const restarted = await startEmbeddedPostgres(dataDir, logger);
      subtest.after(() => restarted.stop());
      assert.equal((await query(restarted.url, 'select note from marker')).rows[0]?.note, 'kept');
      assert.notEqual((await readFile(pidFile, 'utf8')).split('\n')[0], String(process.pid));
    },
  );
});
