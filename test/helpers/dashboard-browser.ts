// The dashboard in a real browser, for every screen's test: Debian's Chromium driven
// by playwright-core, the app listening on 127.0.0.1 on its own database, a real
// OpenID provider to sign in at, screenshots at a laptop's and a phone's width, and
// an axe-core audit.
//
//   const dashboard = await openDashboard(t);
//   await dashboard.signIn('/customers');
//   await dashboard.check('customers-empty');   // screenshots at 1280 and 390 px + axe
//   …
//   dashboard.assertNoPageProblems();          // no CSP refusal, script error or 4xx file
//
// axe-core's source is run with page.evaluate(): Playwright evaluates through the
// DevTools protocol, which the page's Content-Security-Policy does not govern, so
// the audit needs no `bypassCSP` and sees the page under the very policy it is
// served with (an injected <script> tag would be refused by `script-src 'self'`).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import pino from 'pino';
import { freePort } from '../../src/db/free-port.ts';
import { createSmsProvider } from '../../src/sms/providers/index.ts';
import { SmsWorker } from '../../src/sms/worker.ts';
import {
  STUB_API_KEY,
  STUB_USERNAME,
  startAfricasTalkingStub,
  type AfricasTalkingStub,
} from './africastalking-stub.ts';
import { buildTestApp, type TestHarness } from './build-app.ts';
import { startTestIdentityProvider } from './oidc-provider.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without these, Chromium reaches for Google's services, which this network refuses.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** For `test(…, { skip })`: CI installs Chromium (.ci/run) and must run these tests. */
export const skipWithoutChromium =
  !existsSync(CHROMIUM) && process.env.CI !== 'true' ? `no Chromium at ${CHROMIUM}` : false;

export const SCREENSHOTS = path.join(
  import.meta.dirname,
  '..',
  '..',
  'test-artifacts',
  'screenshots',
);
export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
// What is audited: WCAG 2.0–2.2 A and AA, and axe's best practices; what fails a test:
// any violation axe rates serious or critical.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
// Each page, with its files, under 100 KB transferred (the issue's budget).
const PAGE_BUDGET_BYTES = 100 * 1024;

/** What this reads of axe.run's answer. */
interface AxeResults {
  violations: {
    id: string;
    impact?: string | null;
    help: string;
    nodes: { target: string[] }[];
  }[];
}

/** SMS as in production: the app's worker sending through the local Africa's Talking stub. */
export interface DashboardSms {
  /** What the gateway received; set `stub.mode` to make it fail. */
  stub: AfricasTalkingStub;
  /** Posts a delivery report to the app's webhook, as the gateway would. */
  report(fields: Record<string, string>): Promise<Response>;
}

const CALLBACK_SECRET = 'browser-callback-secret';

export interface DashboardBrowser {
  baseUrl: string;
  /** Present when opened with `{ sms: true }`. */
  sms: DashboardSms | undefined;
  page: Page;
  /** The app's database and config, to make data directly (as another user would have). */
  harness: TestHarness;
  email: string;
  /** Opens `path` and signs in at the provider when sent there; ends back at `path`. */
  signIn(path?: string): Promise<void>;
  /** Full-page screenshots `<name>-1280.png` and `<name>-390.png` in test-artifacts/screenshots/. */
  screenshot(name: string): Promise<void>;
  /** axe-core on the page as it is now; fails on a serious or critical violation. */
  audit(name: string): Promise<void>;
  /** Bytes of the page and every file it loaded, uncompressed and uncached: an upper bound of what it transfers. */
  weight(): Promise<number>;
  /** All: screenshots, an audit at each width, and a weight under 100 KB. */
  check(name: string): Promise<void>;
  /** Fails if the page logged an error (a CSP refusal is one) or a file answered 4xx/5xx. */
  assertNoPageProblems(): void;
}

export async function openDashboard(
  t: TestContext,
  options: { email?: string; env?: Record<string, string>; sms?: boolean } = {},
): Promise<DashboardBrowser> {
  const port = await freePort();
  const stub = options.sms === true ? await startAfricasTalkingStub(t) : undefined;
  // One attempt: a failing gateway fails the SMS at once, instead of after backoffs.
  const smsEnv: Record<string, string> =
    stub === undefined
      ? {}
      : {
          SMS_PROVIDER: 'africastalking',
          AT_API_KEY: STUB_API_KEY,
          AT_USERNAME: STUB_USERNAME,
          AT_BASE_URL: stub.baseUrl,
          AT_CALLBACK_SECRET: CALLBACK_SECRET,
          SMS_MAX_ATTEMPTS: '1',
          SMS_POLL_INTERVAL: '1s',
        };
  const baseUrl = `http://127.0.0.1:${port}`;
  const email = options.email ?? 'staff@example.com';
  const idp = await startTestIdentityProvider(t, {
    redirectUris: [`${baseUrl}/auth/callback`],
    accounts: [{ sub: `browser-${email}`, email, email_verified: true, name: 'Staff' }],
  });
  const harness = await buildTestApp(t, {
    PUBLIC_URL: baseUrl,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    ...smsEnv,
    ...options.env,
  });
  await harness.app.listen({ host: '127.0.0.1', port });
  let sms: DashboardSms | undefined;
  if (stub !== undefined) {
    // Built as server.ts builds it, from the same config: woken by each new order.
    const logger = pino({ level: harness.config.logLevel });
    const worker = new SmsWorker({
      databaseUrl: harness.databaseUrl,
      provider: createSmsProvider(harness.config, logger),
      settings: harness.config.sms.worker,
      logger,
    });
    t.after(() => worker.stop());
    await worker.start();
    sms = {
      stub,
      report: (fields) =>
        fetch(`${baseUrl}/webhooks/africastalking/delivery?secret=${CALLBACK_SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        }),
    };
  }

  await mkdir(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: WIDTHS.desktop });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // A failed load is reported again below, where pages answering 4xx on purpose
    // can be told from failed files.
    if (message.type() !== 'error' || message.text().startsWith('Failed to load resource')) return;
    problems.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    // Pages that answer 4xx on purpose (a form with errors, a 404 page) are no problem;
    // a script, stylesheet or htmx request that fails is.
    const kind = response.request().resourceType();
    if (response.status() >= 400 && kind !== 'document') {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });

  const screenshot = async (name: string) => {
    for (const viewport of [WIDTHS.desktop, WIDTHS.phone]) {
      await page.setViewportSize(viewport);
      await page.screenshot({
        path: path.join(SCREENSHOTS, `${name}-${viewport.width}.png`),
        fullPage: true,
      });
    }
    await page.setViewportSize(WIDTHS.desktop);
  };

  const audit = async (name: string) => {
    await page.evaluate(AXE_SOURCE); // defines the global `axe`
    const options = JSON.stringify({ runOnly: { type: 'tag', values: AXE_TAGS } });
    const results = await page.evaluate<AxeResults>(`axe.run(document, ${options})`);
    const failing = results.violations.filter((violation) =>
      FAILING_IMPACTS.has(violation.impact ?? ''),
    );
    const report = failing.map(
      (violation) =>
        `${violation.impact}: ${violation.id} (${violation.help}) at ${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
    assert.deepEqual(report, [], `axe on ${name} (${page.viewportSize()?.width} px)`);
  };

  const weight = () =>
    page.evaluate<number>(
      'performance.getEntries().reduce((sum, entry) => sum + (entry.decodedBodySize ?? 0), 0)',
    );

  return {
    baseUrl,
    sms,
    page,
    harness,
    email,
    async signIn(target = '/') {
      await page.goto(`${baseUrl}${target}`);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${baseUrl}${target}`);
    },
    screenshot,
    audit,
    weight,
    async check(name: string) {
      const bytes = await weight();
      assert.ok(bytes < PAGE_BUDGET_BYTES, `${name} weighs ${bytes} bytes`);
      await screenshot(name);
      for (const viewport of [WIDTHS.desktop, WIDTHS.phone]) {
        await page.setViewportSize(viewport);
        await audit(name);
      }
      await page.setViewportSize(WIDTHS.desktop);
    },
    assertNoPageProblems() {
      assert.deepEqual(problems, [], 'errors in the page, or files that failed');
    },
  };
}
