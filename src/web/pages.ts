// The pages for everyone: the home page of a signed-out visitor (sign in, or how to
// configure sign-in) and the error page, in the dashboard's look.
import { html } from 'ghtml';
import { layout, type SignedInFrame } from './layout.ts';

export interface HomePageOptions {
  signIn: { enabled: boolean; providerName: string };
  publicUrl: URL;
}

export function homePage({ signIn, publicUrl }: HomePageOptions): string {
  if (!signIn.enabled) {
    return layout(
      { title: 'Sign in' },
      html`<div class="narrow">
        <h1>Sign in</h1>
        <p>Sign-in is not configured on this server yet.</p>
        <p>
          To let people sign in with Google (or another OpenID Connect provider), set
          <code>OIDC_CLIENT_ID</code> and <code>OIDC_CLIENT_SECRET</code> (and
          <code>OIDC_ISSUER</code> for a provider other than Google), with
          <code>${publicUrl.origin}/auth/callback</code> as the redirect URI, then restart. The
          README explains each step.
        </p>
        <p>Meanwhile, an API token from the command line works for every endpoint:</p>
        <pre><code>npx customer-orders token create --email you@example.com</code></pre>
      </div>`,
    );
  }
  return layout(
    { title: 'Sign in' },
    html`<div class="narrow">
      <h1>Sign in</h1>
      <p>Customers and their orders, for the shop's staff.</p>
      <p><a class="button" href="/auth/login">Login with ${signIn.providerName}</a></p>
    </div>`,
  );
}

/** An error in the site's look; with the navigation when someone is signed in. */
export function errorPage(title: string, message: string, signedIn?: SignedInFrame): string {
  return layout(
    { title, signedIn },
    html`<div class="narrow">
      <h1>${title}</h1>
      <p>${message}</p>
      <p><a href="/">Back to the start page</a></p>
    </div>`,
  );
}
