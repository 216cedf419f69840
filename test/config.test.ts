import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../src/config/config.ts';

test('when nothing is set, the defaults of DESIGN §1 apply', () => {
  const config = parseConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.publicUrl.href, 'http://localhost:8000/');
  assert.equal(config.databaseUrl, undefined);
  assert.match(config.dataDir, /\/data$/);
  assert.equal(config.oidc.issuer.href, 'https://accounts.google.com/');
  assert.equal(config.sms.provider, 'log');
  assert.equal(config.sms.atBaseUrl.href, 'https://api.sandbox.africastalking.com/version1');
  assert.equal(config.defaultCurrency, 'KES');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.sms));
});

test('when an API key is set, Africa’s Talking is the provider; a live username gets the live URL', () => {
  const config = parseConfig({ AT_API_KEY: 'k', AT_USERNAME: 'myshop' });
  assert.equal(config.sms.provider, 'africastalking');
  assert.equal(config.sms.atBaseUrl.href, 'https://api.africastalking.com/version1');
  assert.equal(
    parseConfig({ AT_API_KEY: 'k', AT_USERNAME: 'Sandbox' }).sms.atBaseUrl.hostname,
    'api.sandbox.africastalking.com',
  );
  assert.deepEqual(
    parseConfig({ ALLOWED_EMAIL_DOMAINS: ' Example.com, ,shop.co ' }).oidc.allowedEmailDomains,
    ['example.com', 'shop.co'],
  );
});

test('when a value is bad, the error names the variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: '80a' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://shop.example.com/app' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ OIDC_ISSUER: 'http://issuer.example.com' }, 'OIDC_ISSUER'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ SMS_PROVIDER: 'africastalking' }, 'AT_API_KEY'],
    [{ SMS_PROVIDER: 'twilio' }, 'SMS_PROVIDER'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ DEFAULT_CURRENCY: 'kes' }, 'DEFAULT_CURRENCY'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ AT_BASE_URL: 'not a url' }, 'AT_BASE_URL'],
    [{ SMS_LEASE: '10s', SMS_SEND_TIMEOUT: '10s' }, 'SMS_LEASE'],
    [{ SMS_RETRY_BASE: 'soon' }, 'SMS_RETRY_BASE'],
    [{ SMS_WORKER: 'sometimes' }, 'SMS_WORKER'],
    [{ AT_CALLBACK_SECRET: 'short' }, 'AT_CALLBACK_SECRET'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => parseConfig(env),
      (error: ConfigError) => error.variable === variable,
      JSON.stringify(env),
    );
  }
});

test('when the issuer is on a loopback host, http:// is accepted (local test providers)', () => {
  assert.equal(parseConfig({ OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc.issuer.port, '9000');
  assert.equal(
    parseConfig({ OIDC_ISSUER: 'http://localhost:9000/realms/shop' }).oidc.issuer.hostname,
    'localhost',
  );
});

test('when TRUST_PROXY is true, one proxy hop is trusted, never every hop; numbers and addresses work too', () => {
  assert.equal(parseConfig({}).trustProxy, false);
  assert.equal(parseConfig({ TRUST_PROXY: 'true' }).trustProxy, 1);
  assert.equal(parseConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(parseConfig({ TRUST_PROXY: 'off' }).trustProxy, false);
  assert.deepEqual(parseConfig({ TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, [
    '10.0.0.0/8',
    '::1',
  ]);
  assert.throws(() => parseConfig({ TRUST_PROXY: '10.0.0.0/33' }), /TRUST_PROXY/);
});
