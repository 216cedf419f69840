// The overview at / over HTTP, and its figures from the service: orders and their
// value per currency today and this week (UTC days, Monday weeks), the chart's 30
// days with the empty ones at zero, and the SMS of the last 24 hours by status. Each
// test has a database of its own, so the figures are exactly what it made.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { createCustomer } from '../src/customers/customers.service.ts';
import { getOrderStats } from '../src/orders/orders.stats.ts';
import { buildTestApp, type TestHarness } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';
import { getPage, textOf } from './helpers/pages.ts';
import { signedIn } from './helpers/sessions.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const startOfUtcDay = (instant: Date) =>
  new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
const utcDay = (instant: Date) => instant.toISOString().slice(0, 10);

/** Orders made directly, at the times given (the API stamps its own). */
async function seedOrders(
  harness: TestHarness,
  orders: { at: Date; amount: string; currency?: string }[],
) {
  const customer = await createCustomer(harness.db.statements, {
    name: `Seed ${randomUUID().slice(0, 8)}`,
    phone_number: uniquePhoneNumber(),
  });
  for (const order of orders) {
    await harness.db.pool.query(
      `insert into orders (customer_id, item, amount, currency, created_at, updated_at)
       values ($1, 'seeded', $2, $3, $4, $4)`,
      [customer.id, order.amount, order.currency ?? 'KES', order.at],
    );
  }
}

async function seedSms(harness: TestHarness, messages: { status: string; at: Date }[]) {
  for (const message of messages) {
    await harness.db.pool.query(
      `insert into sms_messages (order_id, to_number, body, status, created_at, updated_at)
       values ($1, '+254700000000', 'seeded', $2, $3, $3)`,
      [randomUUID(), message.status, message.at],
    );
  }
}

async function freshApp(t: TestContext) {
  const harness = await buildTestApp(t);
  const session = await signedIn(harness);
  return { harness, session };
}

test('when the figures are counted, days are UTC days: an order at 23:59:59.999 is yesterday’s, one at 00:00 today’s', async (t) => {
  const { harness } = await freshApp(t);
  // A Wednesday, so that the week (from Monday) holds yesterday too.
  const now = new Date('2026-11-25T10:00:00Z');
  const today = startOfUtcDay(now);
  const monday = new Date(today.getTime() - 2 * DAY_MS);
  await seedOrders(harness, [
    { at: new Date(now.getTime() - HOUR_MS), amount: '100.50' },
    { at: today, amount: '200.25' },
    { at: new Date(today.getTime() - 1), amount: '10.00', currency: 'USD' },
    { at: new Date(today.getTime() - 1), amount: '0.10', currency: 'USD' },
    { at: new Date(today.getTime() - 1), amount: '0.20', currency: 'USD' },
    { at: new Date(monday.getTime() - 1), amount: '5.00' }, // Sunday: last week
    { at: new Date(today.getTime() - 29 * DAY_MS + 12 * HOUR_MS), amount: '1.00' },
    { at: new Date(today.getTime() - 30 * DAY_MS + 12 * HOUR_MS), amount: '1.00' }, // too old
  ]);

  const stats = await getOrderStats(harness.db.statements, now);
  assert.deepEqual(stats.today, {
    since: '2026-11-25',
    orders: 2,
    byCurrency: [{ currency: 'KES', orders: 2, amount: '300.75' }],
  });
  assert.deepEqual(stats.week, {
    since: '2026-11-23',
    orders: 5,
    byCurrency: [
      { currency: 'KES', orders: 2, amount: '300.75' },
      // 0.10 + 0.20 summed by PostgreSQL: 10.30, not 10.299999… or 10.300000000000001.
      { currency: 'USD', orders: 3, amount: '10.30' },
    ],
  });

  assert.equal(stats.perDay.length, 30);
  assert.equal(stats.perDay[0]?.day, '2026-10-27');
  assert.equal(stats.perDay.at(-1)?.day, '2026-11-25');
  const byDay = Object.fromEntries(stats.perDay.map((day) => [day.day, day.orders]));
  assert.equal(byDay['2026-11-25'], 2);
  assert.equal(byDay['2026-11-24'], 3);
  assert.equal(byDay['2026-11-22'], 1);
  assert.equal(byDay['2026-10-27'], 1);
  assert.equal(
    stats.perDay.reduce((sum, day) => sum + day.orders, 0),
    7,
    'every day present, the empty ones at 0, the 31st day back left out',
  );
  assert.equal(stats.perDay.filter((day) => day.orders === 0).length, 26);
});

test('when a week starts, Monday’s orders are this week’s and Sunday’s last week’s', async (t) => {
  const { harness } = await freshApp(t);
  const monday = new Date('2026-11-23T00:30:00Z');
  await seedOrders(harness, [
    { at: new Date('2026-11-23T00:00:00Z'), amount: '7.00' },
    { at: new Date('2026-11-22T23:59:59.999Z'), amount: '9.00' },
  ]);
  const stats = await getOrderStats(harness.db.statements, monday);
  assert.equal(stats.week.since, '2026-11-23');
  assert.deepEqual(stats.week.byCurrency, [{ currency: 'KES', orders: 1, amount: '7.00' }]);
  assert.deepEqual(stats.today.byCurrency, [{ currency: 'KES', orders: 1, amount: '7.00' }]);
});

test('when SMS are counted, the last 24 hours’ are counted by status, older ones not', async (t) => {
  const { harness } = await freshApp(t);
  const now = new Date();
  const recent = new Date(now.getTime() - HOUR_MS);
  await seedSms(harness, [
    { status: 'delivered', at: recent },
    { status: 'delivered', at: recent },
    { status: 'delivered', at: new Date(now.getTime() - 23 * HOUR_MS) },
    { status: 'sent', at: recent },
    { status: 'failed', at: recent },
    { status: 'failed', at: new Date(now.getTime() - 25 * HOUR_MS) }, // too old
    { status: 'pending', at: recent },
    { status: 'sending', at: recent },
  ]);
  const stats = await getOrderStats(harness.db.statements, now);
  assert.deepEqual(stats.sms, { pending: 1, sending: 1, sent: 1, delivered: 3, failed: 1 });
});

test('when staff open the overview, it shows the figures per currency, the SMS, and the chart with its text alternative', async (t) => {
  const { harness, session } = await freshApp(t);
  const now = new Date();
  const today = startOfUtcDay(now);
  await seedOrders(harness, [
    { at: today, amount: '1500.00' },
    { at: today, amount: '2500.50' },
    { at: today, amount: '12.34', currency: 'USD' },
    { at: new Date(today.getTime() - 3 * DAY_MS), amount: '99.99' },
  ]);
  await seedSms(harness, [
    { status: 'delivered', at: now },
    { status: 'failed', at: now },
    { status: 'failed', at: now },
  ]);

  const page = await getPage(harness.app, '/', session.cookie);
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.match(page.body, /aria-current="page"\s*>Overview</);
  assert.match(page.body, /Signed in as <strong>staff@example\.com<\/strong>/);
  const text = textOf(page.body);
  assert.match(
    text,
    /Today [A-Z][a-z]{2} \d+ [A-Z][a-z]{2} 3 orders KES 4,000\.50 2 orders USD 12\.34 1 order/,
  );
  assert.match(text, /days are UTC days/);
  assert.match(text, /1 delivered 0 sent no delivery report yet 2 failed open to retry/);

  // The links, as the browser reads them (ghtml escapes = and & in attributes).
  const links = [...page.body.matchAll(/href="([^"]+)"/g)].map((match) =>
    match[1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
  );
  const day = utcDay(today);
  assert.ok(
    links.includes(`/orders?created_after=${day}&created_before=${day}`),
    'today’s figure links to today’s orders',
  );
  const yesterday = utcDay(new Date(now.getTime() - DAY_MS));
  assert.ok(
    links.includes(`/orders?created_after=${yesterday}&sms_status=failed`),
    'the failed SMS link to their orders',
  );

  // The chart: SVG without inline styles (the CSP has no 'unsafe-inline' for styles).
  const svg = /<svg[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
  assert.match(svg, /role="img"/);
  assert.match(svg, /aria-labelledby="chart-title chart-desc"/);
  assert.match(svg, /<title id="chart-title">Orders per day, last 30 days \(UTC\)<\/title>/);
  assert.match(
    svg,
    /<desc id="chart-desc">4 orders from .* the most on .*, 3 orders; 28 days without any\.<\/desc>/,
  );
  assert.equal(svg.match(/<rect\s+class="chart-bar"/g)?.length, 30, 'a bar for each day, 0 too');
  assert.doesNotMatch(page.body, /style=/);
  assert.doesNotMatch(page.body, /<style/);
  assert.match(textOf(svg), /Day \(UTC\) Orders/, 'both axes labelled');
  // The same numbers as a table.
  const table = /<details class="chart-data">[\s\S]*?<\/details>/.exec(page.body)?.[0] ?? '';
  assert.equal(table.match(/<tr>/g)?.length, 31, 'a header and 30 days');
  assert.ok(Buffer.byteLength(page.body) < 60 * 1024, `${Buffer.byteLength(page.body)} bytes`);
});

test('when there are no orders yet, the overview says what to do and the chart shows 30 days of zero', async (t) => {
  const { harness, session } = await freshApp(t);
  const page = await getPage(harness.app, '/', session.cookie);
  assert.equal(page.statusCode, 200);
  const text = textOf(page.body);
  assert.match(text, /Today .* 0 orders No orders yet\./);
  assert.match(
    text,
    /No orders in the last 30 days yet\. Add a customer, then take their first order/,
  );
  assert.match(page.body, /<desc id="chart-desc">No orders from /);
  assert.equal(page.body.match(/<rect\s+class="chart-bar"[^>]*height="0"/g)?.length, 30);
});

test('when no one is signed in, / is the sign-in page, without figures', async (t) => {
  const harness = await buildTestApp(t, { OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' });
  const page = await getPage(harness.app, '/');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Login with Google/);
  assert.doesNotMatch(page.body, /<svg class="chart"/);
  const byToken = await getPage(harness.app, '/', undefined, harness.auth);
  assert.doesNotMatch(byToken.body, /<svg class="chart"/, 'an API token is no session');
});
