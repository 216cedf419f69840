// The dashboard's screens in Chromium, as staff use them: each screen is
// photographed at 1280 and 390 px (test-artifacts/screenshots/) and audited with
// axe-core. The harness is test/helpers/dashboard-browser.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCustomer } from '../src/customers/customers.service.ts';
import { openDashboard, skipWithoutChromium as skip } from './helpers/dashboard-browser.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';

test(
  'when staff open Customers, they see what to do, add a customer (after fixing a mistake) and find them as they type',
  { skip },
  async (t) => {
    const dashboard = await openDashboard(t);
    const { page, baseUrl, harness } = dashboard;

    // Sign-in starts from the page asked for, and comes back to it.
    await dashboard.signIn('/customers');
    await page.getByRole('heading', { name: 'No customers yet' }).waitFor();
    await dashboard.check('customers-empty');

    await page.getByRole('link', { name: 'Add customer' }).first().click();
    await page.waitForURL(`${baseUrl}/customers/new`);
    await page.getByLabel('Name').fill('Wanjiru Kamau');
    await page.getByLabel('Phone number').fill('0701 036 054');
    await page.getByRole('button', { name: 'Add customer' }).click();
    const phoneError = page.locator('#field-phone_number-error');
    await phoneError.waitFor();
    assert.match(await phoneError.innerText(), /with its country code/);
    assert.equal(await page.getByLabel('Name').inputValue(), 'Wanjiru Kamau', 'kept');
    await dashboard.check('customer-add-error');

    await page.getByLabel('Phone number').fill('+254 701 036 054');
    await page.getByRole('button', { name: 'Add customer' }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    assert.equal(await page.locator('.flash').innerText(), 'Customer Wanjiru Kamau added.');
    await dashboard.check('customer-added');

    const others = [
      'Otieno Ochieng',
      'Akinyi Atieno',
      '<script>alert(1)</script>',
      'Kamau Njoroge',
    ];
    for (const name of others) {
      await createCustomer(harness.db.statements, { name, phone_number: uniquePhoneNumber() });
    }
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.waitForURL(`${baseUrl}/customers`);
    assert.equal(await page.locator('.data-table tbody tr').count(), 5);
    await page.getByRole('link', { name: '<script>alert(1)</script>' }).waitFor();
    await dashboard.check('customers-list');

    // Search as you type: the results change in place (no new page) and the address follows.
    await page.evaluate('window.__samePage = true');
    await page.getByLabel('Search by name or phone number').pressSequentially('kamau', {
      delay: 40,
    });
    await page.waitForURL(`${baseUrl}/customers?q=kamau&ordering=newest`);
    await page.getByText('Showing 2 customers matching “kamau”.').waitFor();
    assert.equal(await page.locator('.data-table tbody tr').count(), 2);
    assert.equal(await page.evaluate('window.__samePage'), true, 'no full page load');
    await dashboard.check('customers-search');

    await page.getByLabel('Search by name or phone number').fill('nobody here');
    await page.getByRole('heading', { name: 'No customer matches “nobody here”' }).waitFor();
    await dashboard.check('customers-search-empty');

    dashboard.assertNoPageProblems();
  },
);
