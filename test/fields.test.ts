import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cleanText,
  FieldRuleError,
  normalizePhoneNumber,
  parseAmount,
} from '../src/core/fields.ts';
import { parseJsonBody } from '../src/http/body-parsers.ts';

test('when amounts are parsed, the decimal text is kept exactly', () => {
  const accepted: [string | number, string][] = [
    ['1', '1.00'],
    ['0.01', '0.01'],
    ['.5', '0.50'],
    ['5.', '5.00'],
    ['+7', '7.00'],
    ['1e2', '100.00'],
    ['12.3400', '12.34'],
    ['1.5E-1', '0.15'],
    ['0009.90', '9.90'],
    ['9999999999.99', '9999999999.99'],
    [945.49, '945.49'],
  ];
  for (const [input, expected] of accepted)
    assert.equal(parseAmount(input), expected, String(input));
});

test('when amounts are not positive decimals that fit numeric(12,2), they are refused with DRF’s words', () => {
  const refused: [string, RegExp][] = [
    ['', /valid number/],
    ['abc', /valid number/],
    ['1,000', /valid number/],
    ['NaN', /valid number/],
    ['Infinity', /valid number/],
    ['0x10', /valid number/],
    ['0', /greater than 0/],
    ['0.00', /greater than 0/],
    ['-5', /greater than 0/],
    ['-0', /greater than 0/],
    ['1.005', /2 decimal places/],
    ['5e-3', /2 decimal places/],
    ['12345678901', /10 digits before/],
    ['1e10', /10 digits before/],
  ];
  for (const [input, message] of refused) {
    assert.throws(
      () => parseAmount(input),
      (error: Error) => error instanceof FieldRuleError && message.test(error.message),
      input,
    );
  }
});

test('when JSON numbers are parsed for amount, their source text survives, not a float', () => {
  const body = parseJsonBody(
    '{"amount": 0.30000000000000004, "other": 0.1, "nested": {"amount": 1.10}}',
  );
  assert.deepEqual(body, { amount: '0.30000000000000004', other: 0.1, nested: { amount: '1.10' } });
  assert.deepEqual(parseJsonBody('{"__proto__": {"admin": true}, "a": 1}'), { a: 1 });
  assert.deepEqual(parseJsonBody('  '), {});
  assert.throws(() => parseJsonBody('{bad'), /JSON parse error/);
});

test('when phone numbers are normalised, any notation with a country code becomes E.164', () => {
  assert.equal(normalizePhoneNumber('+254 701 036 054'), '+254701036054');
  assert.equal(normalizePhoneNumber('+254-701-036-054'), '+254701036054');
  assert.equal(normalizePhoneNumber(' +1 (415) 555-2671 '), '+14155552671');
  for (const bad of [
    '0704044033',
    '254701036054',
    '+254',
    '+2547010360541234',
    'phone',
    '+999 123 456',
    '+254701036054abc',
    '+254701036054 ext. 12',
  ]) {
    assert.throws(() => normalizePhoneNumber(bad), FieldRuleError, bad);
  }
});

test('when text is cleaned, it is trimmed and limited to 100 code points', () => {
  assert.equal(cleanText('  boss  '), 'boss');
  assert.equal(cleanText('😀'.repeat(100)), '😀'.repeat(100));
  assert.throws(() => cleanText('😀'.repeat(101)), /no more than 100/);
  assert.throws(() => cleanText('   '), /blank/);
  assert.throws(() => cleanText('a\u0000b'), /Null characters/);
  assert.throws(() => cleanText('a\ud800b'), /Unicode/);
});
