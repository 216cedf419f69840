// The customers' pages over HTTP, as a browser without JavaScript uses them (and as
// htmx asks for the results region): who may see them, what they show, search,
// pages, and "Add customer" with every kind of bad input.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { countCustomers, createCustomer, getCustomer } from '../src/customers/customers.service.ts';
import { createOrder, customerOrderTotals } from '../src/orders/orders.service.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';
import { getPage, postForm, textOf } from './helpers/pages.ts';
import { CSRF, signedIn } from './helpers/sessions.ts';

const harness = await buildTestApp({ after });
const { app, db } = harness;
const { cookie } = await signedIn(harness);

/** A word no other test's customers have, to search for. */
const uniqueWord = () => `W${randomUUID().slice(0, 8)}`;

const addCustomers = async (word: string, count: number) => {
  const made = [];
  for (let index = 0; index < count; index += 1) {
    made.push(
      await createCustomer(db.statements, {
        name: `${word} customer ${index}`,
        phone_number: uniquePhoneNumber(),
      }),
    );
  }
  return made;
};

const customersNamed = (name: string) => countCustomers(db.statements, { q: name });

test('when no one is signed in, a page redirects to sign in and back, or home without sign-in', async (t) => {
  const withSignIn = await buildTestApp(t, { OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' });
  const list = await getPage(withSignIn.app, '/customers?q=ann');
  assert.equal(list.statusCode, 303);
  assert.equal(list.headers.location, `/auth/login?next=${encodeURIComponent('/customers?q=ann')}`);

  const token = await getPage(withSignIn.app, '/customers', undefined, withSignIn.auth);
  assert.equal(token.statusCode, 303, 'an API token signs no one in to the pages');
  const stale = await getPage(withSignIn.app, '/customers/new', 'sessionid=gone');
  assert.equal(stale.statusCode, 303);
  assert.equal(stale.headers.location, `/auth/login?next=${encodeURIComponent('/customers/new')}`);

  const name = uniqueWord();
  const post = await postForm(withSignIn.app, '/customers', undefined, {
    name,
    phone_number: uniquePhoneNumber(),
  });
  assert.equal(post.statusCode, 303);
  assert.equal(post.headers.location, `/auth/login?next=${encodeURIComponent('/customers')}`);
  assert.equal(await countCustomers(withSignIn.db.statements, { q: name }), 0);

  const withoutSignIn = await getPage(app, '/customers');
  assert.equal(withoutSignIn.statusCode, 303);
  assert.equal(withoutSignIn.headers.location, '/');
});

test('when the list is empty, it says so and how to add the first customer', async (t) => {
  const fresh = await buildTestApp(t);
  const session = await signedIn(fresh);
  const page = await getPage(fresh.app, '/customers', session.cookie);
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] ?? '', /^text\/html/);
  assert.equal(page.headers['cache-control'], 'no-store');
  const text = textOf(page.body);
  assert.match(text, /No customers yet/);
  assert.match(page.body, /<a class="button" href="\/customers\/new">Add customer<\/a>/);
  assert.match(page.body, /aria-current="page"\s*>Customers</);
  assert.match(text, /staff@example\.com/);
});

test('when a customer’s name is HTML, the list shows it as text', async () => {
  const name = `<script>alert(1)</script> ${uniqueWord()}`;
  await createCustomer(db.statements, { name, phone_number: uniquePhoneNumber() });
  const page = await getPage(app, '/customers', cookie);
  assert.equal(page.statusCode, 200);
  assert.ok(!page.body.includes('<script>alert(1)</script>'), 'the name is not markup');
  assert.ok(page.body.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  const search = await getPage(app, `/customers?q=${encodeURIComponent('"><script>')}`, cookie);
  assert.ok(!search.body.includes('"><script>'), 'nor is the search echoed as markup');
});

test('when someone searches, the list shows customers by part of the name or the start of the phone number in any notation', async () => {
  const word = uniqueWord();
  const [first] = await addCustomers(word, 2);
  const byName = textOf((await getPage(app, `/customers?q=${word.toLowerCase()}`, cookie)).body);
  assert.match(byName, /Showing 2 customers matching/);

  const digits = first!.phoneNumber.slice(1); // 2547…
  for (const notation of [
    `+${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`,
    `00${digits}`,
  ]) {
    const page = await getPage(app, `/customers?q=${encodeURIComponent(notation)}`, cookie);
    assert.match(textOf(page.body), new RegExp(`${word} customer 0`), notation);
    assert.doesNotMatch(textOf(page.body), new RegExp(`${word} customer 1`), notation);
  }

  const nothing = await getPage(app, `/customers?q=${uniqueWord()}`, cookie);
  assert.match(textOf(nothing.body), /No customer matches/);
});

test('when htmx asks for the results region, it gets that region alone', async () => {
  const word = uniqueWord();
  await addCustomers(word, 1);
  const region = await getPage(app, `/customers?q=${word}`, cookie, {
    'hx-request': 'true',
    'hx-target': 'div#customer-results',
  });
  assert.equal(region.statusCode, 200);
  assert.doesNotMatch(region.body, /<html|<header/);
  assert.match(region.body, /<table class="data-table">/);
  assert.match(textOf(region.body), new RegExp(`${word} customer 0`));

  const historyRestore = await getPage(app, `/customers?q=${word}`, cookie, {
    'hx-request': 'true',
    'hx-target': 'body',
  });
  assert.match(historyRestore.body, /^<!doctype html>/, 'a history restore gets the whole page');
});

test('when there are more customers than a page holds, Next and Previous walk the list', async () => {
  const word = uniqueWord();
  const made = await addCustomers(word, 23);
  const namesOn = (body: string) =>
    [...body.matchAll(/<a href="\/customers\/[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
  const href = (body: string, rel: string) =>
    new RegExp(`rel="${rel}" href="([^"]+)"`)
      .exec(body)?.[1]
      ?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

  const first = await getPage(app, `/customers?q=${word}`, cookie);
  assert.equal(namesOn(first.body).length, 20);
  assert.equal(namesOn(first.body)[0], made.at(-1)!.name, 'newest first');
  assert.equal(href(first.body, 'prev'), undefined);
  const next = href(first.body, 'next');
  assert.ok(next);

  const second = await getPage(app, next, cookie);
  assert.deepEqual(
    namesOn(second.body),
    made
      .slice(0, 3)
      .map((customer) => customer.name)
      .reverse(),
  );
  assert.equal(href(second.body, 'next'), undefined);
  const back = await getPage(app, href(second.body, 'prev')!, cookie);
  assert.deepEqual(namesOn(back.body), namesOn(first.body));

  const oldest = await getPage(app, `/customers?q=${word}&ordering=oldest`, cookie);
  assert.equal(namesOn(oldest.body)[0], made[0]!.name, 'oldest first');
  assert.match(oldest.body, /<option value="oldest"\s+selected>/);

  const forged = await getPage(app, `/customers?cursor=not-a-cursor`, cookie);
  assert.equal(forged.statusCode, 400);
  assert.match(forged.body, /<h1>This page could not be shown<\/h1>/);
});

test('when a customer is added, it redirects to their page, which says so once', async () => {
  const form = await getPage(app, '/customers/new', cookie);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, new RegExp(`name="csrfmiddlewaretoken" value="${CSRF}"`));
  assert.match(form.body, /<label for="field-phone_number">Phone number<\/label>/);

  const name = `Added ${uniqueWord()}`;
  const added = await postForm(app, '/customers', cookie, {
    name: `  ${name} `,
    phone_number: uniquePhoneNumber().replace(/^\+254/, '+254 '), // any notation
  });
  assert.equal(added.statusCode, 303, added.body);
  assert.match(added.headers.location ?? '', /^\/customers\/[0-9a-f-]{36}$/);
  const flash = added.cookies.find((c) => c.name === 'co_flash');
  assert.ok(flash, 'a one-time message');
  assert.equal(flash.httpOnly, true);

  const page = await getPage(app, added.headers.location!, `${cookie}; co_flash=${flash.value}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`<p class="flash" role="status">Customer ${name} added.</p>`));
  assert.equal(page.cookies.find((c) => c.name === 'co_flash')?.value, '', 'shown once: cleared');
  assert.equal(await customersNamed(name), 1);

  const forged = await getPage(app, added.headers.location!, `${cookie}; co_flash=Call%20us`);
  assert.doesNotMatch(forged.body, /class="flash"/, 'an unsigned message is not shown');
});

test('when the form has bad input, it comes back (400) with the message by the field and what was typed, and nothing is added', async () => {
  const taken = uniquePhoneNumber();
  await createCustomer(db.statements, { name: 'Taken', phone_number: taken });
  const name = uniqueWord();
  const cases: { fields: Record<string, string>; field: string; message: string }[] = [
    {
      fields: { name: '   ', phone_number: uniquePhoneNumber() },
      field: 'name',
      message: 'This field may not be blank.',
    },
    {
      fields: { name: `${name}${'x'.repeat(100)}`, phone_number: uniquePhoneNumber() },
      field: 'name',
      message: 'Ensure this field has no more than 100 characters.',
    },
    {
      fields: { name, phone_number: '0701 036 054' },
      field: 'phone_number',
      message: 'Enter a valid phone number with its country code, like +254701036054.',
    },
    {
      fields: { name, phone_number: taken },
      field: 'phone_number',
      message: 'A customer with this phone number already exists.',
    },
    {
      fields: { name },
      field: 'phone_number',
      message: 'Enter a valid phone number with its country code, like +254701036054.',
    },
  ];
  for (const { fields, field, message } of cases) {
    const answer = await postForm(app, '/customers', cookie, fields);
    const what = `${JSON.stringify(fields)} → ${field}`;
    assert.equal(answer.statusCode, 400, what);
    assert.match(answer.body, /<title>Error: Add customer/, what);
    const error = new RegExp(`<p class="field-error" id="field-${field}-error">([^<]*)</p>`).exec(
      answer.body,
    );
    assert.equal(error?.[1], message, what);
    assert.match(answer.body, new RegExp(`aria-describedby="[^"]*field-${field}-error"`), what);
    assert.match(answer.body, /<div class="error-summary" role="alert"/, what);
    assert.ok(
      answer.body.includes(`value="${fields.name?.slice(0, 20)}`),
      `${what}: what was typed is kept`,
    );
  }
  assert.equal(await customersNamed(name), 0, 'nothing added');
});

test('when the form comes without the CSRF token, or with a wrong one, it is refused and nothing is added', async () => {
  const name = uniqueWord();
  const fields = { name, phone_number: uniquePhoneNumber() };
  const missing = await postForm(app, '/customers', cookie, fields, { csrf: false });
  assert.equal(missing.statusCode, 403);
  assert.match(missing.body, /<h1>This form has expired<\/h1>/);
  assert.match(textOf(missing.body), /CSRF token missing/);
  const wrong = await postForm(app, '/customers', cookie.replace(CSRF, CSRF.toLowerCase()), fields);
  assert.equal(wrong.statusCode, 403);
  assert.equal(await customersNamed(name), 0);
});

test('when a customer page or a path does not exist, a browser gets a 404 page in the site’s look', async () => {
  for (const url of [`/customers/${randomUUID()}`, '/customers/not-an-id']) {
    const page = await getPage(app, url, cookie);
    assert.equal(page.statusCode, 404, url);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/, url);
    assert.match(page.body, /<h1>Page not found<\/h1>/, url);
    assert.match(page.body, /There is no customer with this id\./, url);
    assert.match(page.body, /<nav class="site-nav"/, url);
  }
  const nowhere = await getPage(app, '/nowhere', cookie);
  assert.equal(nowhere.statusCode, 404);
  assert.match(nowhere.body, /<h1>Page not found<\/h1>/);
  assert.match(nowhere.body, /<nav class="site-nav"/);
  const api = await getPage(app, '/api/nowhere', cookie);
  assert.deepEqual(api.json(), { detail: 'Not found.' }, 'the APIs answer JSON, as before');
});

// A customer's page: their orders and totals, "Add order", "Edit", "Delete".

const orderSettings = { currency: 'KES', smsTemplate: undefined };

const fieldError = (body: string, field: string) =>
  new RegExp(`<p class="field-error" id="field-${field}-error">([^<]*)</p>`).exec(body)?.[1];

test('when a customer has orders, their page lists them newest first with the SMS status, totals per currency, and pages', async () => {
  const [customer] = await addCustomers(uniqueWord(), 1);
  const made = [];
  for (let index = 0; index < 22; index += 1) {
    made.push(
      await createOrder(
        db.statements,
        { customer_id: customer!.id, item: `Item ${index}`, amount: '1000.10' },
        orderSettings,
      ),
    );
  }
  await createOrder(
    db.statements,
    { customer_id: customer!.id, item: 'In dollars', amount: '0.5' },
    { ...orderSettings, currency: 'USD' },
  );
  const page = await getPage(app, `/customers/${customer!.id}`, cookie);
  assert.equal(page.statusCode, 200);
  const text = textOf(page.body);
  assert.match(text, /Orders 23 /);
  assert.match(text, /KES 22,002.20 · USD 0.50/, 'sums in SQL, as decimals');
  const items = [...page.body.matchAll(/<a href="\/orders\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  assert.deepEqual(items.slice(0, 3), ['In dollars', 'Item 21', 'Item 20']);
  assert.equal(items.length, 20);
  assert.match(page.body, /<span class="badge sms-pending">SMS queued<\/span>/);
  assert.match(page.body, new RegExp(`href="/orders\\?customer_id=${customer!.id}"`));
  const next = /rel="next" href="([^"]+)"/.exec(page.body)?.[1]?.replace(/&#61;/g, '=');
  assert.ok(next);
  const second = await getPage(app, next, cookie);
  assert.equal(second.statusCode, 200);
  assert.match(textOf(second.body), /Item 1 .*Item 0 /);

  const fresh = (await addCustomers(uniqueWord(), 1))[0]!;
  const empty = textOf((await getPage(app, `/customers/${fresh.id}`, cookie)).body);
  assert.match(empty, /No orders yet/);
  assert.match(empty, /Total ordered None yet/);
});

test('when an order is added on the customer’s page, it redirects to the order with “Order added; SMS queued”', async () => {
  const [customer] = await addCustomers(uniqueWord(), 1);
  const added = await postForm(app, `/customers/${customer!.id}/orders`, cookie, {
    item: ' Maize flour 2kg ',
    amount: '245.50',
  });
  assert.equal(added.statusCode, 303, added.body);
  assert.match(added.headers.location ?? '', /^\/orders\/[0-9a-f-]{36}$/);
  const flash = added.cookies.find((c) => c.name === 'co_flash');
  const page = await getPage(
    app,
    added.headers.location!,
    `${cookie}; co_flash=${encodeURIComponent(flash!.value)}`,
  );
  assert.match(page.body, /<p class="flash" role="status">Order added; SMS queued.<\/p>/);
  assert.match(textOf(page.body), /Maize flour 2kg/);
  assert.match(textOf(page.body), /KES 245.50/);
  assert.equal((await customerOrderTotals(db.statements, customer!.id)).orders, 1);
});

test('when “Add order” has bad input, the customer’s page comes back (400) with the service’s message by the field, and nothing is added', async () => {
  const [customer] = await addCustomers(uniqueWord(), 1);
  const cases: { fields: Record<string, string>; field: string; message: string }[] = [
    { fields: { item: ' ', amount: '10' }, field: 'item', message: 'This field may not be blank.' },
    {
      fields: { item: 'x'.repeat(101), amount: '10' },
      field: 'item',
      message: 'Ensure this field has no more than 100 characters.',
    },
    {
      fields: { item: 'Tea', amount: '-5' },
      field: 'amount',
      message: 'Ensure this value is greater than 0.',
    },
    {
      fields: { item: 'Tea', amount: '0' },
      field: 'amount',
      message: 'Ensure this value is greater than 0.',
    },
    {
      fields: { item: 'Tea', amount: '1.005' },
      field: 'amount',
      message: 'Ensure that there are no more than 2 decimal places.',
    },
    {
      fields: { item: 'Tea', amount: 'ten' },
      field: 'amount',
      message: 'A valid number is required.',
    },
  ];
  for (const { fields, field, message } of cases) {
    const answer = await postForm(app, `/customers/${customer!.id}/orders`, cookie, fields);
    const what = `${JSON.stringify(fields)} → ${field}`;
    assert.equal(answer.statusCode, 400, what);
    assert.match(answer.body, /<title>Error: /, what);
    assert.equal(fieldError(answer.body, field), message, what);
    assert.ok(answer.body.includes(`value="${fields.amount}"`), `${what}: kept`);
  }
  assert.equal((await customerOrderTotals(db.statements, customer!.id)).orders, 0, 'nothing added');

  const unknown = await postForm(app, `/customers/${randomUUID()}/orders`, cookie, {
    item: 'Tea',
    amount: '10',
  });
  assert.equal(unknown.statusCode, 404);
  const noCsrf = await postForm(
    app,
    `/customers/${customer!.id}/orders`,
    cookie,
    { item: 'Tea', amount: '10' },
    { csrf: false },
  );
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await customerOrderTotals(db.statements, customer!.id)).orders, 0);
});

test('when a customer is edited, it saves and says so; bad input or a taken phone number changes nothing', async () => {
  const [customer, other] = await addCustomers(uniqueWord(), 2);
  const form = await getPage(app, `/customers/${customer!.id}/edit`, cookie);
  assert.equal(form.statusCode, 200);
  assert.ok(form.body.includes(`value="${customer!.name}"`), 'filled in');

  for (const [fields, field, message] of [
    [{ name: '', phone_number: customer!.phoneNumber }, 'name', 'This field may not be blank.'],
    [
      { name: 'y'.repeat(101), phone_number: customer!.phoneNumber },
      'name',
      'Ensure this field has no more than 100 characters.',
    ],
    [
      { name: 'Renamed', phone_number: other!.phoneNumber },
      'phone_number',
      'A customer with this phone number already exists.',
    ],
    [
      { name: 'Renamed', phone_number: '12' },
      'phone_number',
      'Enter a valid phone number with its country code, like +254701036054.',
    ],
  ] as const) {
    const answer = await postForm(app, `/customers/${customer!.id}/edit`, cookie, fields);
    assert.equal(answer.statusCode, 400, field);
    assert.equal(fieldError(answer.body, field), message);
  }
  assert.equal((await getCustomer(db.statements, customer!.id)).name, customer!.name, 'unchanged');

  const name = `Renamed ${uniqueWord()}`;
  const saved = await postForm(app, `/customers/${customer!.id}/edit`, cookie, {
    name,
    phone_number: customer!.phoneNumber,
  });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, `/customers/${customer!.id}`);
  assert.ok(saved.cookies.some((c) => c.name === 'co_flash'));
  assert.equal((await getCustomer(db.statements, customer!.id)).name, name);

  assert.equal((await getPage(app, `/customers/${randomUUID()}/edit`, cookie)).statusCode, 404);
  const noCsrf = await postForm(
    app,
    `/customers/${customer!.id}/edit`,
    cookie,
    { name: 'Nope', phone_number: customer!.phoneNumber },
    { csrf: false },
  );
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await getCustomer(db.statements, customer!.id)).name, name);
});

test('when a customer is deleted, the confirmation counts their orders, and deleting takes the orders too', async () => {
  const [customer] = await addCustomers(`<b>${uniqueWord()}</b>`, 1);
  for (const item of ['One', 'Two', 'Three']) {
    await createOrder(
      db.statements,
      { customer_id: customer!.id, item, amount: '1' },
      orderSettings,
    );
  }
  const confirm = await getPage(app, `/customers/${customer!.id}/delete`, cookie);
  assert.equal(confirm.statusCode, 200);
  assert.match(textOf(confirm.body), /and their 3 orders\?/);
  assert.ok(!confirm.body.includes('<b>'), 'the name is text');

  const noCsrf = await postForm(
    app,
    `/customers/${customer!.id}/delete`,
    cookie,
    {},
    { csrf: false },
  );
  assert.equal(noCsrf.statusCode, 403);
  assert.equal((await getCustomer(db.statements, customer!.id)).id, customer!.id, 'still there');

  const deleted = await postForm(app, `/customers/${customer!.id}/delete`, cookie, {});
  assert.equal(deleted.statusCode, 303);
  assert.equal(deleted.headers.location, '/customers');
  assert.equal((await getPage(app, `/customers/${customer!.id}`, cookie)).statusCode, 404);
  assert.equal((await customerOrderTotals(db.statements, customer!.id)).orders, 0);
  assert.equal(
    (await postForm(app, `/customers/${customer!.id}/delete`, cookie, {})).statusCode,
    404,
  );
  assert.equal((await getPage(app, '/customers/not-an-id/delete', cookie)).statusCode, 404);
});
