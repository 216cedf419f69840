// Sign-in with any OpenID Connect issuer (Google by default) through openid-client:
// Authorization Code flow with PKCE (S256), `state` and `nonce`. openid-client checks
// the ID token's signature, issuer, audience, expiry and nonce; we check that the
// email is verified and allowed.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as client from 'openid-client';
import type { Config } from '../config/config.ts';
import type { Queryable } from '../db/client.ts';
import { loginAttempts } from '../db/schema.ts';

const LOGIN_ATTEMPT_TTL_MS = 10 * 60_000;
// Discovery passes it on to every later request to the issuer (token, keys).
const ISSUER_TIMEOUT_SECONDS = 10;

/** A refusal to show the person signing in; `status` is the page's HTTP status. */
export class SignInError extends Error {
  readonly status: number;

  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string | undefined;
  nextPath: string;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export class OidcSignIn {
  readonly #config: Config;
  #discovery: Promise<client.Configuration> | undefined;

  constructor(config: Config) {
    this.#config = config;
  }

  get enabled(): boolean {
    return this.#config.oidc.clientId !== undefined && this.#config.oidc.clientSecret !== undefined;
  }

  /** "Google" for Google's issuer, else the issuer's host name. */
  get providerName(): string {
    const host = this.#config.oidc.issuer.hostname;
    return host === 'accounts.google.com' ? 'Google' : host;
  }

  get redirectUri(): string {
    return new URL('/auth/callback', this.#config.publicUrl).href;
  }

  /**
   * Records a new sign-in attempt and returns where to send the browser, and the
   * `state` the browser must also keep (in a cookie) to come back with.
   */
  async start(db: Queryable, nextPath: string): Promise<{ url: URL; state: string }> {
    const configuration = await this.#configuration();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    await db.insert(loginAttempts).values({
      stateHash: hashState(state),
      nonce,
      codeVerifier,
      nextPath,
      expiresAt: new Date(Date.now() + LOGIN_ATTEMPT_TTL_MS),
    });
    const parameters: Record<string, string> = {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    };
    // Google's `hd` only narrows the account chooser; the email is still checked below.
    const domains = this.#config.oidc.allowedEmailDomains;
    if (domains.length === 1 && domains[0] !== undefined) parameters.hd = domains[0];
    return { url: client.buildAuthorizationUrl(configuration, parameters), state };
  }

  /** Completes the sign-in the callback URL answers; throws SignInError with the reason. */
  async finish(
    db: Queryable,
    callbackUrl: URL,
    cookieState: string | undefined,
  ): Promise<VerifiedIdentity> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    // The state must be the one this browser started with (login CSRF), and unused.
    if (cookieState === undefined || cookieState !== state) {
      throw new SignInError(
        400,
        'This sign-in did not start in this browser. Please sign in again.',
      );
    }
    const [attempt] = await db
      .delete(loginAttempts)
      .where(eq(loginAttempts.stateHash, hashState(state)))
      .returning();
    if (attempt === undefined || attempt.expiresAt <= new Date()) {
      throw new SignInError(
        400,
        'This sign-in has expired or was already used. Please sign in again.',
      );
    }
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError !== null) {
      const description = callbackUrl.searchParams.get('error_description');
      throw new SignInError(
        400,
        `The identity provider refused the sign-in: ${description ?? providerError}.`,
      );
    }

    const configuration = await this.#configuration();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw new SignInError(
        isNetworkFailure(error) ? 502 : 400,
        isNetworkFailure(error)
          ? `${this.providerName} could not be reached to finish signing in. Please try again.`
          : 'The sign-in could not be verified. Please sign in again.',
        { cause: error },
      );
    }
    if (claims === undefined) throw new SignInError(400, 'The identity provider sent no ID token.');

    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    if (email === '' || claims.email_verified !== true) {
      throw new SignInError(
        403,
        `${this.providerName} has not verified the email address of this account.`,
      );
    }
    if (!this.#allows(email))
      throw new SignInError(403, `${email} is not allowed to sign in here.`);
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      name: typeof claims.name === 'string' ? claims.name : undefined,
      nextPath: attempt.nextPath,
    };
  }

  #allows(email: string): boolean {
    const { allowedEmails, allowedEmailDomains } = this.#config.oidc;
    if (allowedEmails.length === 0 && allowedEmailDomains.length === 0) return true;
    const normalised = email.toLowerCase();
    const domain = normalised.slice(normalised.lastIndexOf('@') + 1);
    return allowedEmails.includes(normalised) || allowedEmailDomains.includes(domain);
  }

  /** Discovery, once; a failure is not cached, so the next sign-in tries again. */
  #configuration(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.#config.oidc;
    if (clientId === undefined || clientSecret === undefined) {
      return Promise.reject(new SignInError(503, 'Sign-in is not configured on this server.'));
    }
    this.#discovery ??= client
      .discovery(issuer, clientId, undefined, client.ClientSecretBasic(clientSecret), {
        timeout: ISSUER_TIMEOUT_SECONDS,
        execute: [
          // By default openid-client trusts the ID token from the token endpoint on the
          // strength of TLS alone (OIDC Core 3.1.3.7); we also verify its signature.
          client.enableNonRepudiationChecks,
          // Plain http is allowed for loopback issuers only (config checks that).
          ...(issuer.protocol === 'http:' ? [client.allowInsecureRequests] : []),
        ],
      })
      .catch((error: unknown) => {
        this.#discovery = undefined;
        throw new SignInError(502, `${this.providerName} could not be reached. Please try again.`, {
          cause: error,
        });
      });
    return this.#discovery;
  }
}

function isNetworkFailure(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
  }
  return false;
}

/** `next` as a same-origin path, or "/" when it is absent or points elsewhere. */
export function safeNextPath(next: string | undefined, publicUrl: URL): string {
  if (
    next === undefined ||
    !next.startsWith('/') ||
    next.startsWith('//') ||
    next.startsWith('/\\')
  ) {
    return '/';
  }
  if (!URL.canParse(next, publicUrl.href)) return '/';
  const url = new URL(next, publicUrl);
  // Dot-segments can resolve to `//host` (`/.//evil.example`), which a browser reads
  // as another site: check what comes out, not only what went in.
  if (url.origin !== publicUrl.origin || /^\/[/\\]/.test(url.pathname)) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
