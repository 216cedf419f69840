// The orders' pages over HTTP, as a browser without JavaScript uses them (and as
// htmx asks for the results region): the list and its filters, an order's page with
// its SMS timeline and Retry, Edit and Delete, with bad input, CSRF and unknown ids.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { createCustomer, type Customer } from '../src/customers/customers.service.ts';
import { smsMessages } from '../src/db/schema.ts';
import { createOrder, getOrder, type Order } from '../src/orders/orders.service.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';
import { getPage, postForm, textOf } from './helpers/pages.ts';
import { signedIn } from './helpers/sessions.ts';

const harness = await buildTestApp({ after }, { SMS_WORKER: 'false' });
const { app, db } = harness;
const { cookie } = await signedIn(harness);
const settings = { currency: 'KES', smsTemplate: undefined };

const uniqueWord = () => `W${randomUUID().slice(0, 8)}`;

const addCustomer = (name = `Customer ${uniqueWord()}`) =>
  createCustomer(db.statements, { name, phone_number: uniquePhoneNumber() });

const addOrder = (customer: Customer, item: string, amount = '100') =>
  createOrder(db.statements, { customer_id: customer.id, item, amount }, settings);

const setSms = (order: Order, fields: Partial<typeof smsMessages.$inferInsert>) =>
  db.orm.update(smsMessages).set(fields).where(eq(smsMessages.orderId, order.id));

const itemsOn = (body: string) =>
  [...body.matchAll(/<a href="\/orders\/[0-9a-f-]{36}">([^<]+)<\/a>/g)].map((match) => match[1]);

const fieldError = (body: string, field: string) =>
  new RegExp(`<p class="field-error" id="field-${field}-error">([^<]*)</p>`).exec(body)?.[1];

test('when no one is signed in, the orders’ pages redirect to sign in and a form changes nothing', async (t) => {
  const withSignIn = await buildTestApp(t, { OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' });
  const list = await getPage(withSignIn.app, '/orders?q=tea');
  assert.equal(list.statusCode, 303);
  assert.equal(list.headers.location, `/auth/login?next=${encodeURIComponent('/orders?q=tea')}`);
  const id = randomUUID();
  for (const url of [`/orders/${id}`, `/orders/${id}/edit`, `/orders/${id}/delete`]) {
    assert.equal((await getPage(withSignIn.app, url)).statusCode, 303, url);
  }
  const retry = await postForm(withSignIn.app, `/orders/${id}/sms/retry`, undefined, {});
  assert.equal(retry.statusCode, 303);
});

test('when there are no orders, the list says how to take the first one', async (t) => {
  const fresh = await buildTestApp(t, { SMS_WORKER: 'false' });
  const session = await signedIn(fresh);
  const page = await getPage(fresh.app, '/orders', session.cookie);
  assert.equal(page.statusCode, 200);
  assert.match(textOf(page.body), /No orders yet/);
  assert.match(page.body, /href="\/customers">Choose a customer/);
  assert.match(page.body, /aria-current="page"\s*>Orders</);
});

test('when the list is filtered by customer, item, amount, date and SMS status, and ordered, it shows just those orders', async () => {
  const word = uniqueWord();
  const customer = await addCustomer(`Filtered ${word}`);
  const other = await addCustomer();
  const small = await addOrder(customer, `${word} small`, '10.50');
  const big = await addOrder(customer, `${word} big`, '9000');
  const failed = await addOrder(customer, `${word} failed`, '600');
  await addOrder(other, `${word} other`, '500');
  await setSms(failed, { status: 'failed', lastError: 'InvalidPhoneNumber' });

  const list = async (query: string) => {
    const page = await getPage(app, `/orders?q=${word}&${query}`, cookie);
    assert.equal(page.statusCode, 200, `${query}: ${textOf(page.body).slice(0, 300)}`);
    return itemsOn(page.body);
  };
  assert.equal((await list('')).length, 4);
  assert.deepEqual(await list(`customer_id=${customer.id}&ordering=oldest`), [
    small.item,
    big.item,
    failed.item,
  ]);
  assert.deepEqual(await list('ordering=largest&min_amount=400'), [
    big.item,
    failed.item,
    `${word} other`,
  ]);
  assert.deepEqual(await list('max_amount=100'), [small.item]);
  assert.deepEqual(await list('sms_status=failed'), [failed.item]);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(
    (await list(`created_after=${today}&created_before=${today}`)).length,
    4,
    'today, inclusive',
  );
  assert.deepEqual(await list('created_before=2020-01-01'), []);

  const ofCustomer = await getPage(app, `/orders?customer_id=${customer.id}`, cookie);
  assert.match(textOf(ofCustomer.body), new RegExp(`Orders of Filtered ${word}`));
  assert.match(ofCustomer.body, new RegExp(`name="customer_id" value="${customer.id}"`));
  assert.match(ofCustomer.body, /<span class="badge sms-failed">SMS failed<\/span>/);
  assert.match(ofCustomer.body, /<option value="failed"\s*>Failed/);

  const none = await getPage(app, `/orders?q=${word}&min_amount=100000`, cookie);
  assert.match(textOf(none.body), /No order matches these filters/);
  assert.match(none.body, /Clear filters/);
});

test('when a filter is wrong, the list comes back (400) with the message by the field', async () => {
  for (const [query, field, message] of [
    ['min_amount=-3', 'min_amount', 'Ensure this value is greater than or equal to 0.'],
    ['max_amount=abc', 'max_amount', 'A valid number is required.'],
    ['created_after=yesterday', 'created_after', /Enter a date/],
    ['sms_status=lost', 'sms_status', /One of pending/],
    ['customer_id=nope', 'customer_id', /valid UUID/i],
  ] as const) {
    const page = await getPage(app, `/orders?${query}`, cookie);
    assert.equal(page.statusCode, 400, query);
    assert.match(page.body, /<div class="error-summary" role="alert"/, query);
    assert.match(textOf(page.body), /Fix the filter above to see orders\./, query);
    if (typeof message === 'string') assert.equal(fieldError(page.body, field), message, query);
    else assert.match(textOf(page.body), message, query);
  }
  const region = await getPage(app, '/orders?max_amount=abc', cookie, {
    'hx-request': 'true',
    'hx-target': 'div#order-results',
  });
  assert.equal(region.statusCode, 400);
  assert.doesNotMatch(region.body, /<html/);
  assert.match(region.body, /href="#field-max_amount">Amount to: A valid number is required\./);
  const forged = await getPage(app, '/orders?cursor=not-a-cursor', cookie);
  assert.equal(forged.statusCode, 400);
  const ordering = await getPage(app, '/orders?ordering=sideways', cookie);
  assert.equal(ordering.statusCode, 400);
});

test('when htmx asks for the results region, it gets that region alone; pages walk the list', async () => {
  const word = uniqueWord();
  const customer = await addCustomer();
  for (let index = 0; index < 22; index += 1) await addOrder(customer, `${word} ${index}`);
  const region = await getPage(app, `/orders?q=${word}`, cookie, {
    'hx-request': 'true',
    'hx-target': 'div#order-results',
  });
  assert.equal(region.statusCode, 200);
  assert.doesNotMatch(region.body, /<html|<header/);
  assert.equal(itemsOn(region.body).length, 20);
  const next = /rel="next" href="([^"]+)"/
    .exec(region.body)?.[1]
    ?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  assert.ok(next);
  const second = await getPage(app, next, cookie);
  assert.deepEqual(itemsOn(second.body), [`${word} 1`, `${word} 0`]);
});

test('when an order’s SMS moves on, its page shows each step reached, and Retry only once it failed', async () => {
  const customer = await addCustomer('<img src=x onerror=alert(1)>');
  const order = await addOrder(customer, '<script>alert(1)</script>', '1250.5');
  const open = async () => {
    const page = await getPage(app, `/orders/${order.id}`, cookie);
    assert.equal(page.statusCode, 200);
    return page.body;
  };
  let body = await open();
  assert.ok(!body.includes('<script>alert(1)</script>') && !body.includes('<img src=x'), 'escaped');
  assert.match(textOf(body), /KES 1,250.50/);
  assert.match(body, new RegExp(`href="/customers/${customer.id}"`));
  assert.match(body, /class="step step-current">\s*<span class="step-label"\s*>Queued/);
  assert.doesNotMatch(body, /Retry SMS/);

  const sentAt = new Date('2026-12-01T08:00:00Z');
  await setSms(order, { status: 'sent', attempts: 1, sentAt, providerMessageId: 'ATXid_1' });
  body = await open();
  assert.match(body, /step-current">\s*<span class="step-label"\s*>Sent/);
  assert.match(textOf(body), /1 Dec 2026, 08:00 UTC/);
  assert.match(textOf(body), /ATXid_1/);
  assert.doesNotMatch(body, /Retry SMS/);

  await setSms(order, { status: 'delivered', deliveredAt: new Date() });
  assert.match(await open(), /step-current">\s*<span class="step-label"\s*>Delivered/);

  const retryNow = () => postForm(app, `/orders/${order.id}/sms/retry`, cookie, {});
  const notFailed = await retryNow();
  assert.equal(notFailed.statusCode, 409);
  assert.match(textOf(notFailed.body), /Only a failed SMS can be retried; this one is delivered/);

  await setSms(order, { status: 'failed', attempts: 8, lastError: 'Gateway said no' });
  body = await open();
  assert.match(body, /step-failed">\s*<span class="step-label"\s*>Failed/);
  assert.match(textOf(body), /Gateway said no/);
  assert.match(body, new RegExp(`action="/orders/${order.id}/sms/retry"`));

  const noCsrf = await postForm(app, `/orders/${order.id}/sms/retry`, cookie, {}, { csrf: false });
  assert.equal(noCsrf.statusCode, 403);
  const retried = await retryNow();
  assert.equal(retried.statusCode, 303);
  assert.equal(retried.headers.location, `/orders/${order.id}`);
  assert.ok(retried.cookies.some((c) => c.name === 'co_flash'));
  const [row] = await db.orm.select().from(smsMessages).where(eq(smsMessages.orderId, order.id));
  assert.equal(row?.status, 'pending');
  assert.equal(row?.attempts, 0);
});

test('when an order is edited, it saves and says so; bad input changes nothing', async () => {
  const order = await addOrder(await addCustomer(), 'Sugar 1kg', '150');
  const form = await getPage(app, `/orders/${order.id}/edit`, cookie);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /value="Sugar 1kg"/);
  for (const [fields, field, message] of [
    [{ item: '', amount: '1' }, 'item', 'This field may not be blank.'],
    [
      { item: 'z'.repeat(101), amount: '1' },
      'item',
      'Ensure this field has no more than 100 characters.',
    ],
    [{ item: 'Sugar', amount: '-1' }, 'amount', 'Ensure this value is greater than 0.'],
    [
      { item: 'Sugar', amount: '1.234' },
      'amount',
      'Ensure that there are no more than 2 decimal places.',
    ],
  ] as const) {
    const answer = await postForm(app, `/orders/${order.id}/edit`, cookie, fields);
    assert.equal(answer.statusCode, 400, JSON.stringify(fields));
    assert.equal(fieldError(answer.body, field), message);
  }
  assert.equal((await getOrder(db.statements, order.id)).amount, '150.00', 'unchanged');
  const noCsrf = await postForm(
    app,
    `/orders/${order.id}/edit`,
    cookie,
    { item: 'Salt', amount: '2' },
    { csrf: false },
  );
  assert.equal(noCsrf.statusCode, 403);
  const saved = await postForm(app, `/orders/${order.id}/edit`, cookie, {
    item: 'Salt',
    amount: '2.5',
  });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, `/orders/${order.id}`);
  const now = await getOrder(db.statements, order.id);
  assert.equal(now.item, 'Salt');
  assert.equal(now.amount, '2.50');
});

test('when an order is deleted after its confirmation, it is gone and the customer’s page says so', async () => {
  const customer = await addCustomer();
  const order = await addOrder(customer, 'Rice 5kg');
  const confirm = await getPage(app, `/orders/${order.id}/delete`, cookie);
  assert.equal(confirm.statusCode, 200);
  assert.match(textOf(confirm.body), /Delete “Rice 5kg” \(KES 100.00\)/);
  const noCsrf = await postForm(app, `/orders/${order.id}/delete`, cookie, {}, { csrf: false });
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await getOrder(db.statements, order.id)).id, order.id);
  const deleted = await postForm(app, `/orders/${order.id}/delete`, cookie, {});
  assert.equal(deleted.statusCode, 303);
  assert.equal(deleted.headers.location, `/customers/${customer.id}`);
  assert.equal((await getPage(app, `/orders/${order.id}`, cookie)).statusCode, 404);
});

test('when an order does not exist or its id is not one, a browser gets the 404 page', async () => {
  const id = randomUUID();
  for (const url of [
    `/orders/${id}`,
    '/orders/not-an-id',
    `/orders/${id}/edit`,
    `/orders/${id}/delete`,
  ]) {
    const page = await getPage(app, url, cookie);
    assert.equal(page.statusCode, 404, url);
    assert.match(page.body, /<h1>Page not found<\/h1>/, url);
    assert.match(page.body, /There is no order with this id\./, url);
  }
  for (const url of [`/orders/${id}/edit`, `/orders/${id}/delete`, `/orders/${id}/sms/retry`]) {
    assert.equal(
      (await postForm(app, url, cookie, { item: 'a', amount: '1' })).statusCode,
      404,
      url,
    );
  }
});
