// Server-rendered pages: plain HTML, no build step. Every value is escaped.
import type { Identity } from '../auth/authenticate.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · customer-orders</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface HomePageOptions {
  identity: Identity | undefined;
  csrfToken: string | undefined;
  signIn: { enabled: boolean; providerName: string };
  publicUrl: URL;
}

export function homePage({ identity, csrfToken, signIn, publicUrl }: HomePageOptions): string {
  if (identity !== undefined) {
    return layout(
      'Signed in',
      `<h1>customer-orders</h1>
<p>Signed in as <strong>${escapeHtml(identity.user.email)}</strong>.</p>
<section aria-labelledby="token-heading">
<h2 id="token-heading">API token</h2>
<p>A token lets scripts and other programs use the API as you. It is shown once: keep it somewhere safe.</p>
<button type="button" id="get-token">Get a new API token</button>
<div id="token-result" hidden>
<label for="token">Your token</label>
<div class="row"><input id="token" readonly><button type="button" id="copy-token">Copy</button></div>
<p id="copy-status" role="status" aria-live="polite"></p>
<label for="curl">Try it</label>
<pre><code id="curl" data-base-url="${escapeHtml(publicUrl.origin)}"></code></pre>
</div>
<p id="token-error" role="alert" hidden></p>
</section>
<form method="post" action="/auth/logout">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrfToken ?? '')}">
<button type="submit" class="secondary">Log out</button>
</form>
<script src="/static/home.js"></script>`,
    );
  }
  if (!signIn.enabled) {
    return layout(
      'Sign in',
      `<h1>customer-orders</h1>
<p>Sign-in is not configured on this server yet.</p>
<p>To let people sign in with Google (or another OpenID Connect provider), set
<code>OIDC_CLIENT_ID</code> and <code>OIDC_CLIENT_SECRET</code> (and <code>OIDC_ISSUER</code>
for a provider other than Google), with <code>${escapeHtml(publicUrl.origin)}/auth/callback</code>
as the redirect URI, then restart. The README explains each step.</p>
<p>Meanwhile, an API token from the command line works for every endpoint:</p>
<pre><code>npx customer-orders token create --email you@example.com</code></pre>`,
    );
  }
  return layout(
    'Sign in',
    `<h1>customer-orders</h1>
<p>Customers and their orders, for the shop's staff.</p>
<p><a class="button" href="/auth/login">Login with ${escapeHtml(signIn.providerName)}</a></p>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/">Back to the start page</a></p>`,
  );
}
