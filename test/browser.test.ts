// The whole sign-in as a person does it, in Debian's Chromium driven by
// playwright-core: open /, log in at the (local, real) OpenID provider, make a token
// on the tokens page, use it from a plain HTTP client, log out. Screenshots of each page
// go to test-artifacts/ (not committed).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { freePort } from '../src/db/free-port.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { startTestIdentityProvider } from './helpers/oidc-provider.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(import.meta.dirname, '..', 'test-artifacts');
// Without these, Chromium reaches for Google's services, which this network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// CI installs Chromium (.ci/run) and must run this; elsewhere it is optional.
const skip =
  !existsSync(CHROMIUM) && process.env.CI !== 'true' ? `no Chromium at ${CHROMIUM}` : false;

test(
  'a person signs in with the browser, gets a token, uses it and logs out',
  { skip },
  async (t) => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const email = 'staff@example.com';
    const idp = await startTestIdentityProvider(t, {
      redirectUris: [`${baseUrl}/auth/callback`],
      accounts: [{ sub: 'browser-staff', email, email_verified: true, name: 'Staff' }],
    });
    const { app } = await buildTestApp(t, {
      PUBLIC_URL: baseUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
    });
    await app.listen({ host: '127.0.0.1', port });

    await mkdir(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    t.after(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const shot = (name: string) =>
      page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

    await page.goto(`${baseUrl}/`);
    await shot('1-home-signed-out');
    await page.getByRole('link', { name: 'Login with 127.0.0.1' }).click();

    await page.getByLabel('Email').fill(email);
    await shot('2-provider-login');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL(`${baseUrl}/`);
    assert.match(await page.locator('main').innerText(), new RegExp(`Signed in as ${email}`));
    await shot('3-home-signed-in');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot('3-home-signed-in-desktop');
    await page.setViewportSize({ width: 390, height: 844 });

    await page.getByRole('link', { name: 'API tokens', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('browser test');
    await page.getByRole('button', { name: 'Make token' }).click();
    const tokenField = page.getByLabel('Secret');
    await tokenField.waitFor();
    const token = await tokenField.inputValue();
    assert.match(token, /^co_/);
    assert.match(
      await page.locator('#new-token-curl').innerText(),
      new RegExp(`curl ${baseUrl}/api/v1/me -H "Authorization: Token ${token}"`),
    );
    await shot('4-token-shown');

    const api = await fetch(`${baseUrl}/api/get-customers/`, {
      headers: { authorization: `Token ${token}` },
    });
    assert.equal(api.status, 200);
    assert.deepEqual(await api.json(), { count: 0, next: null, previous: null, results: [] });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByRole('link', { name: 'Login with 127.0.0.1' }).waitFor();
    await shot('5-logged-out');
    const afterLogout = await page.evaluate(async () => (await fetch('/api/token/')).status);
    assert.equal(afterLogout, 401);
  },
);

test(
  'when a person opens /docs, the API reference renders under the site’s Content-Security-Policy',
  { skip },
  async (t) => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const { app } = await buildTestApp(t, { PUBLIC_URL: baseUrl });
    await app.listen({ host: '127.0.0.1', port });

    await mkdir(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A script or style the policy refuses shows as a console error; so does a file
    // that does not load.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    const shot = (name: string) =>
      page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });

    const answer = await page.goto(`${baseUrl}/docs`);
    assert.equal(answer?.status(), 200);
    assert.match(answer?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.locator('.swagger-ui .info .title').getByText('customer-orders').waitFor();
    await page.locator('.opblock-tag', { hasText: 'original API: customers' }).waitFor();
    // Swagger UI's stylesheet applies (a refused one would leave the page unstyled).
    const tagFont = await page.evaluate(
      "getComputedStyle(document.querySelector('.swagger-ui .opblock-tag')).fontSize",
    );
    assert.equal(tagFont, '24px');
    await shot('6-docs');

    const operation = page.locator('.opblock-get', { hasText: '/api/get-customers' }).first();
    await operation.locator('.opblock-summary').click();
    await operation.locator('.responses-table').first().waitFor();
    await operation.scrollIntoViewIfNeeded();
    await shot('7-docs-operation');

    assert.deepEqual(problems, []);
  },
);
