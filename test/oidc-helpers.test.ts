// Proves the two OpenID test doubles with openid-client alone, before any app code
// relies on them: the real provider signs people in, and each thing the fake issuer
// breaks is refused by the client.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as client from 'openid-client';
import type { JWTPayload } from 'jose';
import { startFakeIssuer, type FakeIssuer, type IdTokenClaims } from './helpers/fake-issuer.ts';
import { startTestIdentityProvider } from './helpers/oidc-provider.ts';
import type { Cleanup } from './helpers/database.ts';

// Never fetched: the flow stops where the issuer sends the browser back.
const redirectUri = 'http://127.0.0.1:3000/auth/callback';

/**
 * As the app discovers (src/auth/oidc.ts): client_secret_basic, and plain http allowed,
 * which openid-client refuses unless told; a loopback issuer in tests is where that is right.
 */
function discover(
  issuer: { issuer: string; clientId: string; clientSecret: string },
  timeout?: number,
) {
  return client.discovery(
    new URL(issuer.issuer),
    issuer.clientId,
    undefined,
    client.ClientSecretBasic(issuer.clientSecret),
    {
      execute: [client.allowInsecureRequests],
      ...(timeout !== undefined && { timeout }),
    },
  );
}

/** An authorization request as the app will make it: PKCE S256, state and nonce. */
async function startSignIn(config: client.Configuration, extra: Record<string, string> = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const checks = {
    pkceCodeVerifier: codeVerifier,
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    ...extra,
  });
  return { url, checks };
}

const isInvalidGrant = (error: unknown) =>
  error instanceof client.ResponseBodyError &&
  error.error === 'invalid_grant' &&
  error.status === 400;

describe('the test identity provider (oidc-provider)', async () => {
  const provider = await startTestIdentityProvider({ after }, { redirectUris: [redirectUri] });
  const config = await discover(provider);

  test('when discovered, it is an http issuer on 127.0.0.1 requiring PKCE S256', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, provider.issuer);
    assert.match(provider.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_endpoint, provider.url('/auth'));
  });

  test('when a login_hint names an account, the code flow signs it in without a form and the ID token carries its email', async () => {
    const { url, checks } = await startSignIn(config, { login_hint: 'alice@example.com' });
    const callback = await provider.authorize(url);
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    const claims = tokens.claims();
    assert.equal(claims?.iss, provider.issuer);
    assert.equal(claims?.sub, 'test-sub-alice');
    assert.equal(claims?.email, 'alice@example.com');
    assert.equal(claims?.email_verified, true);
    assert.equal(claims?.name, 'Alice Example');
  });

  test('when the unverified account signs in, email_verified is false', async () => {
    const { url, checks } = await startSignIn(config, { login_hint: 'unverified@example.com' });
    const tokens = await client.authorizationCodeGrant(
      config,
      await provider.authorize(url),
      checks,
    );
    assert.equal(tokens.claims()?.email_verified, false);
  });

  test('when the login form is posted, it signs that account in; an unknown email gets the form again with an error', async () => {
    const signedIn = await startSignIn(config);
    const callback = await provider.authorize(signedIn.url, { email: 'alice@example.com' });
    assert.equal(
      (await client.authorizationCodeGrant(config, callback, signedIn.checks)).claims()?.email,
      'alice@example.com',
    );

    const refused = await startSignIn(config);
    await assert.rejects(
      provider.authorize(refused.url, { email: 'nobody@example.com' }),
      /No account has the email nobody@example\.com/,
    );
  });

  test('when the provider is asked to sign in without PKCE, it refuses', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      login_hint: 'alice@example.com',
    });
    const callback = await provider.authorize(url);
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
  });

  test('when an authorization code is used twice, the second use is refused with invalid_grant', async () => {
    const { url, checks } = await startSignIn(config, { login_hint: 'alice@example.com' });
    const callback = await provider.authorize(url);
    await client.authorizationCodeGrant(config, callback, checks);
    await assert.rejects(client.authorizationCodeGrant(config, callback, checks), isInvalidGrant);
  });
});

describe('the fake issuer', () => {
  async function signInAt(cleanup: Cleanup, options: FakeIssuer['options'] = {}) {
    const issuer = await startFakeIssuer(cleanup, options);
    const config = await discover(issuer);
    const { url, checks } = await startSignIn(config);
    const callback = await issuer.authorize(url);
    return {
      issuer,
      config,
      callback,
      checks,
      grant: () => client.authorizationCodeGrant(config, callback, checks),
    };
  }

  test('when nothing is tampered with, the code flow succeeds with a verified email', async (t) => {
    const { grant } = await signInAt(t);
    const claims = (await grant()).claims();
    assert.equal(claims?.email, 'alice@example.com');
    assert.equal(claims?.email_verified, true);
  });

  test('when email_verified is set false, the client accepts the token: refusing it is the app’s job', async (t) => {
    const { grant } = await signInAt(t, {
      tamperIdToken: (claims) => ({ ...claims, email_verified: false }),
    });
    assert.equal((await grant()).claims()?.email_verified, false);
  });

  // openid-client throws one generic ClientError; its cause names the claim that failed.
  const refusedFor = (reason: RegExp) => (error: unknown) =>
    error instanceof client.ClientError &&
    error.cause instanceof Error &&
    reason.test(error.cause.message);

  const tampered: [string, (claims: IdTokenClaims) => JWTPayload, RegExp][] = [
    ['another audience', (claims) => ({ ...claims, aud: 'someone-else' }), /"aud"/],
    ['another issuer', (claims) => ({ ...claims, iss: 'https://accounts.google.com' }), /"iss"/],
    ['an expiry in the past', (claims) => ({ ...claims, exp: claims.iat - 120 }), /"exp"/],
    ['a wrong nonce', (claims) => ({ ...claims, nonce: 'not-the-nonce' }), /"nonce"/],
  ];
  for (const [what, tamperIdToken, reason] of tampered) {
    test(`when the ID token has ${what}, openid-client refuses it`, async (t) => {
      const { grant } = await signInAt(t, { tamperIdToken });
      await assert.rejects(grant(), refusedFor(reason));
    });
  }

  // OIDC Core §3.1.3.7 lets a client trust an ID token from the token endpoint on the
  // strength of TLS alone, and openid-client does: the signature is only checked once
  // enableNonRepudiationChecks is on. The app must turn it on to refuse a bad signature.
  test('when the ID token is signed by an unknown key, openid-client refuses it only with non-repudiation checks on', async (t) => {
    const byDefault = await signInAt(t, { signWithUnknownKey: true });
    assert.equal((await byDefault.grant()).claims()?.email, 'alice@example.com');

    const checked = await signInAt(t, { signWithUnknownKey: true });
    client.enableNonRepudiationChecks(checked.config);
    await assert.rejects(checked.grant(), refusedFor(/signature/));
  });

  test('when a code is redeemed twice, the second is refused with invalid_grant and both are counted', async (t) => {
    const { issuer, callback, grant } = await signInAt(t);
    await grant();
    await assert.rejects(grant(), isInvalidGrant);
    assert.equal(issuer.tokenRequestCount(callback.searchParams.get('code') ?? ''), 2);
  });

  test('when told to hang, discovery gives up at its timeout; when stopped, the connection is refused', async (t) => {
    const issuer = await startFakeIssuer(t);
    await discover(issuer);
    issuer.options.hang = true;
    await assert.rejects(
      discover(issuer, 0.2),
      (error) => error instanceof client.ClientError && error.message === 'operation timed out',
    );
    await issuer.stop();
    // fetch's own TypeError, not wrapped by openid-client: the code is on its cause.
    await assert.rejects(
      discover(issuer),
      (error) =>
        error instanceof TypeError &&
        (error.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED',
    );
  });
});
