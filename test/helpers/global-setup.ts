// Runs once per `npm test`: finds a PostgreSQL (TEST_DATABASE_URL, or a throwaway
// embedded server), migrates a template database, and tells the test files where
// it is. Each test file then clones the template into a database of its own.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { connect, runMigrations } from '../../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts';
import { UNDOCUMENTED_RESPONSES_FILE } from './documented-responses.ts';
import { adminQuery, databaseUrl } from './postgres-admin.ts';

let embedded: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let adminUrl: string;
const templateName = `customer_orders_test_template_${process.pid}`;

export async function globalSetup(): Promise<void> {
  // Each test file adds the answers the OpenAPI document does not describe.
  await rm(UNDOCUMENTED_RESPONSES_FILE, { force: true });
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = process.env.TEST_DATABASE_URL;
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), 'customer-orders-test-'));
    await chmod(dataDir, 0o755); // mkdtemp makes it 0700; as root, postgres runs as another user
    embedded = await startEmbeddedPostgres(dataDir, pino({ level: 'warn' }));
    adminUrl = embedded.url;
  }
  await adminQuery(adminUrl, `drop database if exists ${templateName}`);
  await adminQuery(adminUrl, `create database ${templateName}`);
  const template = connect(databaseUrl(adminUrl, templateName), 2, pino({ level: 'warn' }));
  try {
    await runMigrations(template.pool);
  } finally {
    await template.close();
  }
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  process.env.TEST_TEMPLATE_DATABASE = templateName;
}

export async function globalTeardown(): Promise<void> {
  await adminQuery(adminUrl, `drop database if exists ${templateName}`).catch(() => {});
  await embedded?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
}
