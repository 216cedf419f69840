// Orders and a customer's page in Chromium, with SMS as in production: the app's
// worker sends through the local Africa's Talking stub, and delivery reports come to
// the webhook. Each screen is photographed at 1280 and 390 px and audited with axe-core.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openDashboard, skipWithoutChromium as skip } from './helpers/dashboard-browser.ts';

/** Reloads the order's page until its SMS badge reads `text` (the worker sends in the background). */
async function waitForSms(page: Page, text: string) {
  const badge = page.locator('.section-heading .badge');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const shown = await badge.innerText();
    if (shown === text) return;
    assert.ok(Date.now() < deadline, `the SMS still reads “${shown}”, not “${text}”`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await page.reload();
  }
}

test(
  'when staff add a customer and an order, the order page shows its SMS sent, then delivered; a failed one is retried and sent',
  { skip },
  async (t) => {
    const dashboard = await openDashboard(t, { sms: true });
    const { page, baseUrl } = dashboard;
    const sms = dashboard.sms!;

    await dashboard.signIn('/orders');
    await page.getByRole('heading', { name: 'No orders yet' }).waitFor();
    await dashboard.check('orders-empty');

    // Add a customer, then take an order on their page.
    await page.goto(`${baseUrl}/customers/new`);
    await page.getByLabel('Name').fill('Wanjiru Kamau');
    await page.getByLabel('Phone number').fill('+254 701 036 054');
    await page.getByRole('button', { name: 'Add customer' }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    const customerUrl = page.url();
    await page.getByRole('heading', { name: 'No orders yet' }).waitFor();
    await dashboard.check('customer-page-empty');

    await page.getByLabel('Item').fill('Maize flour 2kg');
    await page.getByLabel('Amount (KES)').fill('-245');
    await page.getByRole('button', { name: 'Add order' }).click();
    await page.locator('#field-amount-error').waitFor();
    assert.equal(
      await page.locator('#field-amount-error').innerText(),
      'Ensure this value is greater than 0.',
    );
    assert.equal(await page.getByLabel('Item').inputValue(), 'Maize flour 2kg', 'kept');
    await dashboard.check('order-add-error');

    await page.getByLabel('Amount (KES)').fill('245.50');
    await page.getByRole('button', { name: 'Add order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    assert.equal(await page.locator('.flash').innerText(), 'Order added; SMS queued.');
    await waitForSms(page, 'SMS sent');
    const [message] = sms.stub.received;
    assert.ok(message, 'the gateway got the SMS');
    assert.equal(message.to, '+254701036054');
    await page.getByText(message.messageId).first().waitFor();
    await dashboard.check('order-sent');

    // The gateway reports delivery; the page shows it on reload.
    const report = await sms.report({
      id: message.messageId,
      status: 'Success',
      phoneNumber: message.to,
      networkCode: '63902',
    });
    assert.equal(report.status, 200);
    await page.reload();
    await waitForSms(page, 'SMS delivered');
    await dashboard.check('order-delivered');

    // A gateway that fails: the SMS fails, Retry (shown only now) sends it.
    sms.stub.mode = { kind: 'http-error', status: 500 };
    await page.goto(customerUrl);
    await page.getByLabel('Item').fill('Cooking oil 1l');
    await page.getByLabel('Amount (KES)').fill('380');
    await page.getByRole('button', { name: 'Add order' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await waitForSms(page, 'SMS failed');
    await page.locator('.step-failed').waitFor();
    await dashboard.check('order-failed');

    sms.stub.mode = { kind: 'ok' };
    await page.getByRole('button', { name: 'Retry SMS' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    assert.equal(await page.locator('.flash').innerText(), 'SMS queued again.');
    await waitForSms(page, 'SMS sent');
    assert.equal(await page.getByRole('button', { name: 'Retry SMS' }).count(), 0);

    // The customer's page: both orders, newest first, with their SMS, and the totals.
    await page.goto(customerUrl);
    assert.equal(await page.locator('.data-table tbody tr').count(), 2);
    await page.getByText('KES 625.50').waitFor();
    await dashboard.check('customer-page');

    dashboard.assertNoPageProblems();
  },
);

test(
  'when staff filter orders, edit and delete one, and edit and delete a customer, each screen says what happened',
  { skip },
  async (t) => {
    const dashboard = await openDashboard(t);
    const { page, baseUrl, harness } = dashboard;
    const { createCustomer } = await import('../src/customers/customers.service.ts');
    const { createOrder } = await import('../src/orders/orders.service.ts');
    const settings = { currency: 'KES', smsTemplate: undefined };
    const customers = [];
    for (const [name, phone] of [
      ['Otieno Ochieng', '+254711000001'],
      ['Akinyi Atieno', '+254711000002'],
    ] as const) {
      customers.push(await createCustomer(harness.db.statements, { name, phone_number: phone }));
    }
    const items = ['Sugar 1kg', 'Rice 5kg', 'Tea leaves 500g', 'Bread', 'Milk 1l', '<b>Soap</b>'];
    for (const [index, item] of items.entries()) {
      await createOrder(
        harness.db.statements,
        { customer_id: customers[index % 2]!.id, item, amount: String(100 * (index + 1)) },
        settings,
      );
    }

    await dashboard.signIn('/orders');
    assert.equal(await page.locator('.data-table tbody tr').count(), 6);
    await page.getByRole('link', { name: '<b>Soap</b>' }).waitFor();
    await dashboard.check('orders-list');

    // Filters reload the results in place (htmx), and the address follows.
    await page.evaluate('window.__samePage = true');
    await page.getByLabel('Amount from').pressSequentially('300', { delay: 30 });
    await page.getByLabel('Order', { exact: true }).selectOption('largest');
    await page.waitForURL(/ordering=largest/);
    await page.getByText('Showing 4 orders, largest amount first.').waitFor();
    assert.equal(await page.evaluate('window.__samePage'), true, 'no full page load');
    await dashboard.check('orders-filtered');

    await page.getByLabel('Item contains').fill('nothing like this');
    await page.getByRole('heading', { name: 'No order matches these filters' }).waitFor();
    await dashboard.check('orders-filtered-empty');

    // Without htmx (a full load), a wrong filter shows its message by the field.
    await page.goto(`${baseUrl}/orders?min_amount=-1`);
    await page.locator('#field-min_amount-error').waitFor();
    await dashboard.check('orders-filter-error');

    // Edit an order, then delete it.
    await page.goto(`${baseUrl}/orders`);
    await page.getByRole('link', { name: 'Bread' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Amount (KES)').fill('1.005');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#field-amount-error').waitFor();
    await dashboard.check('order-edit-error');
    await page.getByLabel('Amount (KES)').fill('450');
    await page.getByRole('button', { name: 'Save changes' }).click();
    assert.equal(await page.locator('.flash').innerText(), 'Order saved.');
    await page.getByText('KES 450.00').waitFor();
    await page.getByRole('link', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Delete order', exact: true }).waitFor();
    await dashboard.check('order-delete');
    await page.getByRole('button', { name: 'Delete order' }).click();
    await page.waitForURL(`${baseUrl}/customers/${customers[1]!.id}`);
    assert.equal(await page.locator('.flash').innerText(), 'Order “Bread” deleted.');

    // Edit the customer (a taken phone number first), then delete them with their orders.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Phone number').fill('+254711000001');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#field-phone_number-error').waitFor();
    await dashboard.check('customer-edit-error');
    await page.getByLabel('Phone number').fill('+254711000003');
    await page.getByLabel('Name').fill('Akinyi Atieno Odhiambo');
    await page.getByRole('button', { name: 'Save changes' }).click();
    assert.equal(
      await page.locator('.flash').innerText(),
      'Customer Akinyi Atieno Odhiambo saved.',
    );
    await page.getByRole('link', { name: 'Delete' }).click();
    await page.getByText('Delete Akinyi Atieno Odhiambo and their 2 orders?').waitFor();
    await dashboard.check('customer-delete');
    await page.getByRole('button', { name: 'Delete customer and 2 orders' }).click();
    await page.waitForURL(`${baseUrl}/customers`);
    assert.equal(
      await page.locator('.flash').innerText(),
      'Customer Akinyi Atieno Odhiambo deleted, with their orders.',
    );

    await page.goto(`${baseUrl}/orders/not-an-order`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await dashboard.check('order-not-found');

    dashboard.assertNoPageProblems();
  },
);
