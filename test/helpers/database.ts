import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { connect, type Database } from '../../src/db/client.ts';
import { adminQuery, databaseUrl } from './postgres-admin.ts';

/** Where to register clean-up: a TestContext, or node:test's module-level `{ after }`. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is unset: run the tests with npm test`);
  return value;
}

/** A fresh, migrated database of this test's own (a copy of the template), dropped afterwards. */
export async function createTestDatabase(cleanup: Cleanup): Promise<{ db: Database; url: string }> {
  const adminUrl = requireEnv('TEST_ADMIN_DATABASE_URL');
  const template = requireEnv('TEST_TEMPLATE_DATABASE');
  const name = `customer_orders_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  const url = databaseUrl(adminUrl, name);
  const db = connect(url, 10, pino({ level: 'silent' }));
  cleanup.after(async () => {
    await db.close();
    await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
  });
  return { db, url };
}
