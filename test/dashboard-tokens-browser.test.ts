// The API tokens and the overview in Chromium, as staff use them: each screen is
// photographed at 1280 and 390 px (test-artifacts/screenshots/) and audited with
// axe-core. The harness is test/helpers/dashboard-browser.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { createCustomer } from '../src/customers/customers.service.ts';
import {
  openDashboard,
  SCREENSHOTS,
  skipWithoutChromium as skip,
} from './helpers/dashboard-browser.ts';
import { uniquePhoneNumber } from './helpers/factories.ts';

const HOUR_MS = 3_600_000;

test(
  'when staff make a token, they copy it by keyboard, a script uses it, and once revoked in the page it is refused',
  { skip },
  async (t) => {
    const dashboard = await openDashboard(t);
    const { page, baseUrl } = dashboard;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: baseUrl,
    });

    await dashboard.signIn('/tokens');
    await page
      .getByRole('heading', { name: 'No tokens yet: make one to use the API from scripts' })
      .waitFor();
    await dashboard.check('tokens-empty');

    // A mistake first: a date in the past.
    await page.getByLabel('Name', { exact: true }).fill('stock sync');
    await page.getByLabel('On a date').check();
    await page.getByLabel('Expiry date').fill('2020-01-01');
    await page.getByRole('button', { name: 'Make token' }).click();
    await page.locator('#field-expires_at-error').waitFor();
    assert.equal(
      await page.locator('#field-expires_at-error').innerText(),
      'Must be in the future.',
    );
    assert.equal(
      await page.evaluate('document.activeElement?.className'),
      'error-summary',
      'the summary takes the focus',
    );
    await dashboard.check('tokens-error');

    await page.getByLabel('Scope').selectOption('write');
    await page.getByLabel('In 30 days').check();
    await page.getByRole('button', { name: 'Make token' }).click();
    await page.getByRole('heading', { name: 'Your new token “stock sync”' }).waitFor();
    assert.match(await page.locator('.flash').innerText(), /Token “stock sync” made/);
    const key = await page.getByLabel('Secret').inputValue();
    assert.match(key, /^co_/);

    // Copy with the keyboard alone: Tab from the secret to the button, Enter.
    await page.getByLabel('Secret').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent?.trim()'), 'Copy');
    await page.keyboard.press('Enter');
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), key);
    await dashboard.check('tokens-created');

    // A script uses it, as curl would.
    const asScript = () =>
      fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Token ${key}` } });
    const me = await asScript();
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { user: { email: string } }).user.email, dashboard.email);

    // Away and back: the secret is gone for good, the token listed.
    await page.getByRole('link', { name: 'API tokens', exact: true }).click();
    await page.waitForURL(`${baseUrl}/tokens`);
    assert.equal(await page.getByLabel('Secret').count(), 0);
    assert.ok(!(await page.content()).includes(key), 'no later page shows the secret');
    await page.getByRole('button', { name: 'Revoke token “stock sync”' }).waitFor();
    await dashboard.check('tokens-list');

    await page.getByRole('button', { name: 'Revoke token “stock sync”' }).click();
    await page.waitForURL(`${baseUrl}/tokens`);
    assert.equal(
      await page.locator('.flash').innerText(),
      'Token “stock sync” revoked: it no longer works.',
    );
    assert.equal(await page.locator('.badge-revoked').textContent(), 'revoked');
    assert.equal((await asScript()).status, 401, 'refused at once');
    await dashboard.check('tokens-revoked');

    dashboard.assertNoPageProblems();
  },
);

test(
  'when staff open the overview, they see today’s and the week’s orders per currency, the SMS and 30 days of orders',
  { skip },
  async (t) => {
    const dashboard = await openDashboard(t);
    const { page, harness, baseUrl } = dashboard;

    // / is public (the sign-in page before): sign in from a page that is not.
    await dashboard.signIn('/customers');
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await dashboard.check('overview-empty');

    // Orders over the month, a busier last week, two currencies; their SMS in every state.
    const customer = await createCustomer(harness.db.statements, {
      name: `Overview ${randomUUID().slice(0, 6)}`,
      phone_number: uniquePhoneNumber(),
    });
    const now = Date.now();
    const today = Date.UTC(
      new Date(now).getUTCFullYear(),
      new Date(now).getUTCMonth(),
      new Date(now).getUTCDate(),
    );
    await harness.db.pool.query(
      `insert into orders (customer_id, item, amount, currency, created_at, updated_at)
       select $1, 'seeded ' || n, (250 + (n * 37) % 900)::numeric(12,2) + 0.5,
              case when n % 5 = 0 then 'USD' else 'KES' end, at, at
       from generate_series(1, 160) as n,
            lateral (select to_timestamp($2::double precision / 1000)
                       - make_interval(days => (n * 7919) % 29 * (n % 3), hours => n % 9) as at) t
       where at <= now()`,
      [customer.id, today + 10 * HOUR_MS],
    );
    const statuses = ['delivered', 'delivered', 'delivered', 'sent', 'failed', 'pending'];
    for (const [index, status] of statuses.entries()) {
      await harness.db.pool.query(
        `insert into sms_messages (order_id, to_number, body, status, created_at)
         values ($1, $2, 'seeded', $3, $4)`,
        [randomUUID(), customer.phoneNumber, status, new Date(now - index * HOUR_MS)],
      );
    }

    await page.reload();
    await page.locator('svg.chart').waitFor();
    assert.equal(await page.locator('svg.chart rect.chart-bar').count(), 30);
    assert.match(
      (await page.locator('#chart-desc').textContent()) ?? '',
      /^\d+ orders from .* \(UTC days\); the most on/,
    );
    await dashboard.check('overview');
    // The README's picture (docs/screenshots/, copied from here by hand): the first screen.
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-overview.png') });

    // The numbers as a table, for anyone who cannot see the chart.
    await page.getByText('The numbers, day by day').click();
    await page.locator('.chart-data table').waitFor();
    await dashboard.check('overview-chart-table');

    const failed = page.locator('.sms-failed a');
    assert.match(await failed.innerText(), /1\s+failed/);
    assert.match(
      (await failed.getAttribute('href')) ?? '',
      /^\/orders\?created_after=.*&sms_status=failed$/,
    );

    dashboard.assertNoPageProblems();
  },
);
