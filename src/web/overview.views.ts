// The overview at / for signed-in staff. A placeholder until the overview screen
// (orders and SMS of today and the week, a chart) is built; until /tokens is, it
// keeps the home page's token button.
import { html } from 'ghtml';
import { layout, type SignedInFrame } from './layout.ts';

export function overviewPage(signedIn: SignedInFrame, publicUrl: URL): string {
  return layout(
    { title: 'Overview', signedIn },
    html`<h1>Overview</h1>
      <p>Signed in as <strong>${signedIn.email}</strong>.</p>
      <ul class="shortcuts">
        <li>
          <a class="card-link" href="/customers"
            ><strong>Customers</strong><span>Find, add and edit customers</span></a
          >
        </li>
        <li>
          <a class="card-link" href="/orders"
            ><strong>Orders</strong><span>Orders and their SMS</span></a
          >
        </li>
      </ul>
      <section class="panel" aria-labelledby="token-heading">
        <h2 id="token-heading">API token</h2>
        <p>
          A token lets scripts and other programs use the API as you. It is shown once: keep it
          somewhere safe.
        </p>
        <button type="button" id="get-token">Get a new API token</button>
        <div id="token-result" hidden>
          <label for="token">Your token</label>
          <div class="row">
            <input id="token" readonly /><button type="button" id="copy-token">Copy</button>
          </div>
          <p id="copy-status" role="status" aria-live="polite"></p>
          <label for="curl">Try it</label>
          <pre><code id="curl" data-base-url="${publicUrl.origin}"></code></pre>
        </div>
        <p id="token-error" role="alert" hidden></p>
      </section>
      <script src="/static/home.js"></script>`,
  );
}
