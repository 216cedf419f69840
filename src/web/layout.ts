// The frame every page sits in: header, navigation for signed-in staff, the flash
// message, <main>, footer. Templates are ghtml's `html` tagged templates, which
// escape every interpolated value; `!${…}` inserts HTML that a template already
// rendered, and nothing else.
import { html } from 'ghtml';
import { csrfField } from './forms.ts';

/** The dashboard's sections, for the navigation (the current one is marked). */
export type Section = 'overview' | 'customers' | 'orders' | 'tokens';

const NAVIGATION: readonly { section: Section; href: string; label: string }[] = [
  { section: 'overview', href: '/', label: 'Overview' },
  { section: 'customers', href: '/customers', label: 'Customers' },
  { section: 'orders', href: '/orders', label: 'Orders' },
  { section: 'tokens', href: '/tokens', label: 'API tokens' },
];

/** Who is signed in, as the header shows them: for pages of the dashboard. */
export interface SignedInFrame {
  email: string;
  /** For the log-out form, and every other form on the page. */
  csrfToken: string;
  /** The section the page belongs to, or none (an error page). */
  section: Section | undefined;
  /** A one-time message from the action before (flash.ts). */
  flash: string | undefined;
}

export interface PageOptions {
  title: string;
  /** Absent on pages for signed-out visitors: no navigation then. */
  signedIn?: SignedInFrame | undefined;
}

/** A whole page: `body` is HTML a template rendered. */
export function layout({ title, signedIn }: PageOptions, body: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorCSS":false,"defaultSwap":"innerHTML"}'
        />
        <title>${title} · customer-orders</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.js" defer></script>
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="site-header-inner">
            <a class="brand" href="/">customer-orders</a>
            !${signedIn === undefined ? '' : navigation(signedIn)}
          </div>
        </header>
        <main id="main" tabindex="-1">
          !${signedIn?.flash === undefined ? '' : flashMessage(signedIn.flash)} !${body}
        </main>
        <footer class="site-footer">
          <p><a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI document</a></p>
        </footer>
      </body>
    </html> `;
}

function navigation({ email, csrfToken, section }: SignedInFrame): string {
  const links = NAVIGATION.map(
    (item) =>
      html`<li>
        <a href="${item.href}" !${item.section === section ? ' aria-current="page"' : ''}
          >${item.label}</a
        >
      </li>`,
  );
  return html`<nav class="site-nav" aria-label="Main">
      <ul>
        !${links}
      </ul>
    </nav>
    <div class="account">
      <span class="account-email" title="Signed in">${email}</span>
      <form method="post" action="/auth/logout" class="logout">
        !${csrfField(csrfToken)}
        <button type="submit" class="secondary small">Log out</button>
      </form>
    </div>`;
}

function flashMessage(message: string): string {
  return html`<p class="flash" role="status">${message}</p>`;
}
