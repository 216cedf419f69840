// ALLOWED_HOSTS, as Django has it: a request for another host never reaches a route,
// so no caller's Host header ends up in a link or in the CSRF origin check.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseConfig } from '../src/config/config.ts';
import { buildTestApp } from './helpers/build-app.ts';
import { addCustomer } from './helpers/factories.ts';

const harness = await buildTestApp({ after });
const { app, auth } = harness;
for (let index = 0; index < 11; index += 1) await addCustomer(app, auth);

test('when the Host is not allowed, the answer is 400 and names it, and nothing reflects it', async () => {
  for (const host of ['evil.example', 'evil.example:8000', 'localhost.evil.example']) {
    const response = await app.inject({ url: '/api/get-customers/', headers: { ...auth, host } });
    assert.equal(response.statusCode, 400, host);
    assert.deepEqual(response.json(), {
      detail: `Invalid HTTP_HOST header: '${host}'. You may need to add '${host.split(':')[0]}' to ALLOWED_HOSTS.`,
    });
    assert.doesNotMatch(response.body, /localhost:\d+\/api/);
  }
});

test('when the Host is allowed, pagination links use it', async () => {
  const response = await app.inject({
    url: '/api/get-customers/',
    headers: { ...auth, host: '127.0.0.1:8000' },
  });
  assert.equal(response.statusCode, 200);
  assert.equal(response.json().next, 'http://127.0.0.1:8000/api/get-customers/?page=2');
});

test('when a probe calls /healthz or /readyz with any Host, it answers', async () => {
  for (const url of ['/healthz', '/readyz']) {
    const response = await app.inject({ url, headers: { host: '10.1.2.3:8000' } });
    assert.equal(response.statusCode, 200, url);
  }
});

test('when the host comes through a trusted proxy, X-Forwarded-Host is checked the same way', async (t) => {
  const proxied = await buildTestApp(t, {
    TRUST_PROXY: 'true',
    PUBLIC_URL: 'https://shop.example.com',
  });
  const ask = (forwardedHost: string) =>
    proxied.app.inject({
      url: '/api/get-customers/',
      headers: { ...proxied.auth, 'x-forwarded-host': forwardedHost, 'x-forwarded-proto': 'https' },
    });
  assert.equal((await ask('evil.example')).statusCode, 400);
  assert.equal((await ask('shop.example.com')).statusCode, 200);
});

test('when ALLOWED_HOSTS is unset, production allows only PUBLIC_URL’s host; patterns work as Django’s', () => {
  const production = parseConfig({
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(32),
    PUBLIC_URL: 'https://shop.example.com',
  });
  assert.deepEqual(production.allowedHosts, ['shop.example.com']);
  const development = parseConfig({ PORT: '9000' });
  assert.deepEqual(development.allowedHosts, ['localhost', '127.0.0.1', '[::1]']);
  const listed = parseConfig({ ALLOWED_HOSTS: 'Shop.Example.com, .example.org ,*' });
  assert.deepEqual(listed.allowedHosts, ['shop.example.com', '.example.org', '*']);
});

test('when ALLOWED_HOSTS has a leading dot, subdomains and the domain itself are allowed', async (t) => {
  const wildcard = await buildTestApp(t, { ALLOWED_HOSTS: '.example.org' });
  const ask = (host: string) =>
    wildcard.app.inject({ url: '/api/get-customers/', headers: { ...wildcard.auth, host } });
  assert.equal((await ask('example.org')).statusCode, 200);
  assert.equal((await ask('api.example.org:443')).statusCode, 200);
  assert.equal((await ask('evilexample.org')).statusCode, 400);
  assert.equal((await ask('localhost')).statusCode, 400, 'a list replaces the default');
});
