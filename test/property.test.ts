// Whatever body a client sends to the original API's POST and PUT routes, the answer
// is a 2xx or a 4xx with a JSON body: never a 5xx, never a stack trace. Bodies are
// random JSON (or form) objects keyed mostly by the real field names, with values
// that are nearly right (so runs reach the database), from anywhere in Unicode, or
// number literals no double can hold.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { buildTestApp } from './helpers/build-app.ts';
import {
  addCustomer,
  addOrder,
  type LegacyCustomer,
  type LegacyOrder,
} from './helpers/factories.ts';

const RUNS_PER_ROUTE = 300;
const UNKNOWN_ID = '0b811f4f-7116-4502-93d8-30d8fced278c';

const { app, auth } = await buildTestApp({ after });
const customer = await addCustomer(app, auth);
const order = await addOrder(app, auth, customer.id);

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.oneof(anyCodePoint, loneSurrogate, fc.constant('\u0000'), fc.constant(' ')),
  }),
  fc.string({ unit: 'grapheme-ascii', minLength: 95, maxLength: 105 }), // around the 100-character limit
);

/** JSON number literals as typed, including ones a double cannot hold (1e400, -0, 30 digits). */
const numberLiteral = fc.stringMatching(/^-?(0|[1-9]\d{0,30})(\.\d{1,20})?([eE][+-]?\d{1,3})?$/);

/** The JSON text of any value. */
const anyJsonText = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.double().map((value) => JSON.stringify(value)),
  fc.anything().map((value) => JSON.stringify(value) ?? 'null'),
  numberLiteral,
  fc.constantFrom('true', 'false', 'null', '-0', '1e400', '[]', '{}'),
  anyText.map((text) => JSON.stringify(text)),
);

/** Per field, strings that pass some or all of its rules. */
const nearlyRight: Record<string, fc.Arbitrary<string>> = {
  name: fc.oneof(fc.constantFrom('Wanjiru', '  boss  ', '😀'.repeat(100)), anyText),
  phone_number: fc.oneof(
    fc
      .integer({ min: 0, max: 9_999_999 })
      .map((serial) => `+25471${String(serial).padStart(7, '0')}`),
    fc.constantFrom('+254 701 036 054', '0704044033', customer.phone_number),
  ),
  customer_id: fc.oneof(
    { weight: 4, arbitrary: fc.constant(customer.id) },
    fc.constantFrom(order.id, UNKNOWN_ID, customer.id.toUpperCase(), ''),
  ),
  item: fc.oneof(fc.constantFrom('borns', ' shoes '), anyText),
  amount: fc.oneof(
    fc
      .integer({ min: 1, max: 99_999_999 })
      .map((cents) => `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`),
    fc.constantFrom('100', '1e2', '0.01', '9999999999.99', '-0', '1,000'),
    fc.stringMatching(/^[+-]?\d{0,13}(\.\d{0,4})?([eE][+-]?\d{1,3})?$/),
  ),
};

const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'id', 'customer'),
  fc.string(),
);

interface Body {
  contentType: string;
  payload: string;
}

/**
 * Members of an object, as [name, text] pairs: all or some of the real fields, each
 * nearly right or anything, and a few other keys.
 */
function members(
  fieldNames: readonly string[],
  valueFor: (fieldName: string) => fc.Arbitrary<string>,
  anyValue: fc.Arbitrary<string>,
): fc.Arbitrary<[string, string][]> {
  const model = Object.fromEntries(fieldNames.map((name) => [name, valueFor(name)]));
  const fields = fc.oneof(fc.record(model), fc.record(model, { requiredKeys: [] }));
  const extras = fc.array(fc.tuple(extraKey, anyValue), { maxLength: 2 });
  return fc
    .tuple(fields, extras)
    .map(([known, others]) => [
      ...Object.entries(known).filter(
        (member): member is [string, string] => member[1] !== undefined,
      ),
      ...others,
    ]);
}

function anyBody(fieldNames: readonly string[]): fc.Arbitrary<Body> {
  const jsonValueFor = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: (nearlyRight[name] ?? anyText).map((text) => JSON.stringify(text)) },
      { weight: 1, arbitrary: numberLiteral },
      { weight: 2, arbitrary: anyJsonText },
    );
  const jsonObject = members(fieldNames, jsonValueFor, anyJsonText).map(
    (pairs) => `{${pairs.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`,
  );
  const formValueFor = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: nearlyRight[name] ?? anyText },
      { weight: 1, arbitrary: anyText },
    );
  const form = members(fieldNames, formValueFor, anyText).map((pairs) =>
    new URLSearchParams(pairs).toString(),
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: jsonObject.map((payload) => ({ contentType: 'application/json', payload })),
    },
    {
      weight: 1,
      arbitrary: anyJsonText.map((payload) => ({ contentType: 'application/json', payload })),
    },
    {
      weight: 2,
      arbitrary: form.map((payload) => ({
        contentType: 'application/x-www-form-urlencoded',
        payload,
      })),
    },
  );
}

const CODE_POINTS_1_TO_100 = /^[\s\S]{1,100}$/u;
const E164 = /^\+[1-9]\d{6,14}$/;
const MONEY = /^\d{1,10}\.\d{2}$/;

/** What an accepted customer must look like, whatever was sent. */
function assertCustomer(body: unknown) {
  const { name, phone_number } = body as LegacyCustomer;
  assert.match(name, CODE_POINTS_1_TO_100);
  assert.match(phone_number, E164);
}

/** What an accepted order must look like, whatever was sent. */
function assertOrder(body: unknown) {
  const { item, amount } = body as LegacyOrder;
  assert.match(item, CODE_POINTS_1_TO_100);
  assert.match(amount, MONEY);
}

const routes = [
  {
    method: 'POST',
    url: '/api/add-customer/',
    fields: ['name', 'phone_number'],
    assertAccepted: assertCustomer,
  },
  {
    method: 'PUT',
    url: `/api/update-customer/${customer.id}/`,
    fields: ['name', 'phone_number'],
    assertAccepted: assertCustomer,
  },
  {
    method: 'POST',
    url: '/api/add-order/',
    fields: ['customer_id', 'item', 'amount'],
    assertAccepted: assertOrder,
  },
  {
    method: 'PUT',
    url: `/api/update-order/${order.id}/`,
    fields: ['item', 'amount'],
    assertAccepted: assertOrder,
  },
] as const;

for (const route of routes) {
  const path = route.url.replace(/[0-9a-f-]{36}/, ':id');
  test(`when ${route.method} ${path} gets any body, it answers 2xx or 4xx in JSON`, async () => {
    await fc.assert(
      fc.asyncProperty(anyBody(route.fields), async ({ contentType, payload }) => {
        const response = await app.inject({
          method: route.method,
          url: route.url,
          headers: { ...auth, 'content-type': contentType },
          payload,
        });
        assert.ok(
          response.statusCode >= 200 && response.statusCode < 500,
          `${response.statusCode} ${response.body}`,
        );
        assert.doesNotMatch(response.body, / {4}at |node_modules/, 'no stack trace');
        const body: unknown = JSON.parse(response.body);
        if (response.statusCode < 300) route.assertAccepted(body);
      }),
      { numRuns: RUNS_PER_ROUTE },
    );
  });
}
