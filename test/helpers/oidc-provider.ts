// A real OpenID provider for the sign-in tests (STYLE rule 8): `oidc-provider`, the
// certified implementation, on 127.0.0.1. The app talks to it exactly as it talks to
// Google, so discovery, PKCE, state, nonce, cookies and token checks are all real.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import Provider, {
  errors,
  type Adapter,
  type AdapterPayload,
  type Interaction,
} from 'oidc-provider';
import type { Cleanup } from './database.ts';
import { stopHttpServer } from './http-server.ts';

export interface TestAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

export const defaultTestAccounts: readonly TestAccount[] = [
  {
    sub: 'test-sub-alice',
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Example',
  },
  {
    sub: 'test-sub-unverified',
    email: 'unverified@example.com',
    email_verified: false,
    name: 'Una Verified',
  },
];

export interface TestIdentityProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash: what the ID tokens carry in `iss`. */
  issuer: string;
  clientId: string;
  /**
   * The client must authenticate with `client_secret_basic` (oidc-provider allows one method
   * per client): `client.ClientSecretBasic(secret)`, as src/auth/oidc.ts does. openid-client's
   * default for a bare secret string is client_secret_post, which this provider refuses.
   */
  clientSecret: string;
  url(path: string): string;
  /**
   * Plays the browser: follows the provider's redirects from an authorization URL, keeping
   * its cookies, and returns the URL it finally sends the browser to (the client's
   * redirect_uri with `code` and `state`, or with `error`). The account is chosen by a
   * `login_hint` in the URL, or else by posting `email` to the login form as a user would.
   */
  authorize(authorizationUrl: URL | string, options?: { email?: string }): Promise<URL>;
  stop(): Promise<void>;
}

export async function startTestIdentityProvider(
  cleanup: Cleanup,
  options: { redirectUris: string[]; accounts?: readonly TestAccount[] },
): Promise<TestIdentityProvider> {
  const accounts = options.accounts ?? defaultTestAccounts;
  const clientId = `test-client-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');

  // Listen first: the issuer URL has to name the port before the provider exists.
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };

  const provider = new Provider(issuer, {
    // Everything below that has a default oidc-provider would warn about on the console is set.
    adapter: createMemoryAdapter(),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // As Google does: the requested claims are in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    findAccount: (_ctx, sub) => {
      const account = accounts.find((candidate) => candidate.sub === sub);
      return account && { accountId: account.sub, claims: () => ({ ...account }) };
    },
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<p role="alert">${escapeHtml(`${out.error}: ${out.error_description ?? ''}`)}</p>`,
      );
    },
  });

  const providerCallback = provider.callback();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith('/interaction/')) {
      handleInteraction(request, response).catch((error: unknown) => {
        response.statusCode = error instanceof errors.OIDCProviderError ? error.statusCode : 500;
        response.end(String(error));
      });
    } else {
      void providerCallback(request, response);
    }
  });

  // The interaction pages are ours (oidc-provider leaves the UI to its host): a login
  // form, and no consent screen — the app is first-party, so consent is granted at once.
  async function handleInteraction(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const interaction = await provider.interactionDetails(request, response);
    if (request.method === 'POST') {
      const email = new URLSearchParams(await text(request)).get('email') ?? '';
      const account = accounts.find((candidate) => candidate.email === email);
      if (account) return finish(request, response, interaction, account.sub);
      return renderLoginForm(
        response,
        interaction.uid,
        email,
        `No account has the email ${email}.`,
      );
    }
    // Already signed in, only consent missing (a new scope): grant it without asking.
    if (interaction.prompt.name === 'consent' && interaction.session) {
      return finish(request, response, interaction, interaction.session.accountId);
    }
    const hint = interaction.params.login_hint;
    const hinted = accounts.find((candidate) => candidate.email === hint);
    if (hinted) return finish(request, response, interaction, hinted.sub);
    return renderLoginForm(response, interaction.uid, typeof hint === 'string' ? hint : '');
  }

  async function finish(
    request: IncomingMessage,
    response: ServerResponse,
    interaction: Interaction,
    accountId: string,
  ): Promise<void> {
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
    if (!grant) throw new Error(`grant ${interaction.grantId} vanished`);
    grant.addOIDCScope(String(interaction.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      request,
      response,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  async function authorize(
    authorizationUrl: URL | string,
    { email }: { email?: string } = {},
  ): Promise<URL> {
    const cookies = new Map<string, string>();
    let url = new URL(authorizationUrl);
    let form: URLSearchParams | undefined;
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(url, {
        method: form ? 'POST' : 'GET',
        body: form,
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const [name = '', value = ''] = pair.split(/=(.*)/s);
        if (value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      const location = response.headers.get('location');
      if (location !== null) {
        await response.body?.cancel();
        const next = new URL(location, url);
        // Leaving the provider means going back to the client: that is the answer.
        if (next.origin !== issuer) return next;
        url = next;
        form = undefined;
        continue;
      }
      const body = await response.text();
      if (url.pathname.startsWith('/interaction/') && email !== undefined && !form) {
        form = new URLSearchParams({ email });
        continue;
      }
      const visibleText = body
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      throw new Error(
        `the provider answered ${response.status} at ${url.pathname} instead of redirecting: ${visibleText}`,
      );
    }
    throw new Error('too many redirects');
  }

  const stop = () => stopHttpServer(server);
  cleanup.after(stop);

  return {
    issuer,
    clientId,
    clientSecret,
    url: (path) => new URL(path, issuer).href,
    authorize,
    stop,
  };
}

function renderLoginForm(
  response: ServerResponse,
  uid: string,
  email: string,
  error?: string,
): void {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.end(
    page(
      'Sign in',
      `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="${action}">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
    <button type="submit">Sign in</button>
  </form>`,
    ),
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} – test identity provider</title></head>
<body>
  <h1>${title}</h1>
  ${body}
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * oidc-provider's own memory adapter prints a warning on every start; this one is the
 * least a short-lived test provider needs. Expiry is left to the provider, which checks
 * `exp` on everything it loads; nothing here lives long enough to need evicting.
 */
function createMemoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, AdapterPayload>();
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    const findBy = (match: (payload: AdapterPayload) => boolean) =>
      [...store].find(
        ([storedKey, payload]) => storedKey.startsWith(`${model}:`) && match(payload),
      )?.[1];
    return {
      upsert: async (id, payload) => void store.set(key(id), payload),
      find: async (id) => store.get(key(id)),
      findByUid: async (uid) => findBy((payload) => payload.uid === uid),
      findByUserCode: async (userCode) => findBy((payload) => payload.userCode === userCode),
      // A consumed code stays findable, so that its reuse is detected (and its grant revoked).
      consume: async (id) => {
        const payload = store.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => void store.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [storedKey, payload] of store) {
          if (payload.grantId === grantId) store.delete(storedKey);
        }
      },
    };
  };
}
