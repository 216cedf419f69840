// A hand-written OpenID issuer for the refusal tests: it answers what a real provider
// never would (an ID token for someone else, expired, badly signed), hangs, or goes
// away, so the app's checks can be seen to refuse. Happy paths belong to the real
// provider in oidc-provider.ts; by default this one is valid too, so each test breaks
// exactly one thing.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { Cleanup } from './database.ts';
import { stopHttpServer } from './http-server.ts';

export interface IdTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  nonce?: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

/** Read on every request: a test may change them while the issuer runs. */
export interface FakeIssuerOptions {
  /** Rewrites the (valid) claims before signing: another aud, iss, a past exp… */
  tamperIdToken?: (claims: IdTokenClaims) => JWTPayload;
  /** Signs with a key the JWKS does not hold (under the published key's `kid`). */
  signWithUnknownKey?: boolean;
  /** Discovery, JWKS and token requests are accepted but never answered. */
  hang?: boolean;
}

export interface FakeIssuer {
  issuer: string;
  clientId: string;
  /** Accepted as client_secret_post or client_secret_basic. */
  clientSecret: string;
  options: FakeIssuerOptions;
  /** Follows the authorization redirect and returns the callback URL with `code` and `state`. */
  authorize(authorizationUrl: URL | string): Promise<URL>;
  /** How many times the token endpoint was asked to redeem this code. */
  tokenRequestCount(code: string): number;
  /** Closes the port: later requests are refused, as when the issuer is down. */
  stop(): Promise<void>;
}

interface PendingCode {
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  scope: string;
}

export async function startFakeIssuer(
  cleanup: Cleanup,
  options: FakeIssuerOptions = {},
): Promise<FakeIssuer> {
  const clientId = `fake-client-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const kid = randomBytes(8).toString('hex');
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let unknownKey: CryptoKey | undefined;
  const codes = new Map<string, PendingCode>();
  const tokenRequests = new Map<string, number>();

  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) =>
      json(response, 500, { error: 'server_error', error_description: String(error) }),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', issuer);
    const backChannel = ['/.well-known/openid-configuration', '/jwks', '/token'].includes(
      url.pathname,
    );
    if (backChannel && options.hang) return; // the socket stays open until stop()
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /.well-known/openid-configuration':
        return json(response, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid', 'email', 'profile'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
          code_challenge_methods_supported: ['S256'],
        });
      case 'GET /jwks':
        return json(response, 200, { keys: [publicJwk] });
      case 'GET /authorize':
        return authorizeEndpoint(url.searchParams, response);
      case 'POST /token':
        return tokenEndpoint(request, response);
      default:
        return json(response, 404, { error: 'not_found' });
    }
  }

  // Signs in at once, without a page: what is being tested is what comes back.
  function authorizeEndpoint(params: URLSearchParams, response: ServerResponse): void {
    const redirectUri = params.get('redirect_uri');
    const codeChallenge = params.get('code_challenge');
    if (params.get('client_id') !== clientId || params.get('response_type') !== 'code') {
      return badRequest(response, 'expected this client_id and response_type=code');
    }
    if (redirectUri === null) return badRequest(response, 'redirect_uri is missing');
    // Insisting on PKCE here too means an app that forgot it cannot pass against the fake.
    if (codeChallenge === null || params.get('code_challenge_method') !== 'S256') {
      return badRequest(response, 'PKCE with S256 is required');
    }
    const code = randomBytes(16).toString('base64url');
    codes.set(code, {
      redirectUri,
      codeChallenge,
      nonce: params.get('nonce') ?? undefined,
      scope: params.get('scope') ?? 'openid',
    });
    const callback = new URL(redirectUri);
    callback.searchParams.set('code', code);
    const state = params.get('state');
    if (state !== null) callback.searchParams.set('state', state);
    response.writeHead(302, { location: callback.href }).end();
  }

  async function tokenEndpoint(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const params = new URLSearchParams(await text(request));
    if (!authenticatesClient(request, params)) {
      return json(response, 401, { error: 'invalid_client' });
    }
    const code = params.get('code') ?? '';
    const count = (tokenRequests.get(code) ?? 0) + 1;
    tokenRequests.set(code, count);
    const pending = codes.get(code);
    // A code is good for one redemption only (RFC 6749 §4.1.2); a second use is refused.
    if (params.get('grant_type') !== 'authorization_code' || pending === undefined || count > 1) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    const verifier = params.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) {
      return json(response, 400, {
        error: 'invalid_grant',
        error_description: 'PKCE verification failed',
      });
    }
    if (params.get('redirect_uri') !== pending.redirectUri) {
      return json(response, 400, {
        error: 'invalid_grant',
        error_description: 'redirect_uri mismatch',
      });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: IdTokenClaims = {
      iss: issuer,
      sub: 'fake-sub-alice',
      aud: clientId,
      iat: now,
      exp: now + 300,
      ...(pending.nonce !== undefined && { nonce: pending.nonce }),
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Example',
    };
    const signingKey = options.signWithUnknownKey
      ? (unknownKey ??= (await generateKeyPair('RS256')).privateKey)
      : privateKey;
    const idToken = await new SignJWT(options.tamperIdToken?.(claims) ?? claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(signingKey);
    return json(response, 200, {
      access_token: randomBytes(24).toString('base64url'),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: pending.scope,
      id_token: idToken,
    });
  }

  function authenticatesClient(request: IncomingMessage, params: URLSearchParams): boolean {
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      // RFC 6749 §2.3.1: id and secret are form-encoded before base64.
      const [id = '', secret = ''] = Buffer.from(basic, 'base64')
        .toString()
        .split(':')
        .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return id === clientId && secret === clientSecret;
    }
    return params.get('client_id') === clientId && params.get('client_secret') === clientSecret;
  }

  async function authorize(authorizationUrl: URL | string): Promise<URL> {
    const response = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (location === null) {
      throw new Error(`the fake issuer answered ${response.status}: ${await response.text()}`);
    }
    await response.body?.cancel();
    return new URL(location);
  }

  const stop = () => stopHttpServer(server);
  cleanup.after(stop);

  return {
    issuer,
    clientId,
    clientSecret,
    options,
    authorize,
    tokenRequestCount: (code) => tokenRequests.get(code) ?? 0,
    stop,
  };
}

function badRequest(response: ServerResponse, reason: string): void {
  response.writeHead(400, { 'content-type': 'text/plain' }).end(reason);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}
