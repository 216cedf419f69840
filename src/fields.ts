// Rules for the values people type: names and items, phone numbers, money. Each
// function returns the normalised value or throws FieldRuleError with the message
// DRF would have given, so both APIs report the same words.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export class FieldRuleError extends Error {}

export const TEXT_MAX_LENGTH = 100;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Trimmed text of 1–100 characters (counted in code points, as PostgreSQL does). */
export function cleanText(value: string, maxLength = TEXT_MAX_LENGTH): string {
  // PostgreSQL cannot store NUL in text, and lone surrogates cannot be encoded as UTF-8.
  if (value.includes('\u0000')) throw new FieldRuleError('Null characters are not allowed.');
  if (!value.isWellFormed()) throw new FieldRuleError('Enter valid Unicode text.');
  const trimmed = value.trim();
  if (trimmed === '') throw new FieldRuleError('This field may not be blank.');
  if ([...trimmed].length > maxLength) {
    throw new FieldRuleError(`Ensure this field has no more than ${maxLength} characters.`);
  }
  return trimmed;
}

/**
 * E.164 (`+254701036054`) from any common notation; a country code is required.
 * The whole text must be the number: no extraction from surrounding text (which
 * would accept "+254701036054abc"), and no extension, which an SMS cannot dial.
 */
export function normalizePhoneNumber(value: string): string {
  const trimmed = value.trim();
  const parsed = trimmed.startsWith('+')
    ? parsePhoneNumberFromString(trimmed, { extract: false })
    : undefined;
  if (parsed === undefined || !parsed.isValid() || parsed.ext !== undefined) {
    throw new FieldRuleError(
      'Enter a valid phone number with its country code, like +254701036054.',
    );
  }
  return parsed.number;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;
const MAX_WHOLE_DIGITS = 10; // numeric(12,2)
const MAX_DECIMAL_PLACES = 2;

/**
 * Money as a decimal string with two places ("100.00"), for numeric(12,2).
 * Works on the text of the number, never on a float: JSON numbers reach here as
 * their source text (see parseJsonBody in body-parsers.ts).
 */
export function parseAmount(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL_PATTERN.exec(text);
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match ?? [];
  if (match === null || whole + fraction === '') {
    throw new FieldRuleError('A valid number is required.');
  }
  // Move the decimal point by the exponent, on the digits themselves.
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const splitAt = Math.max(point, 1);
  const wholeDigits = padded.slice(0, splitAt).replace(/^0+(?=\d)/, '');
  const fractionDigits = padded.slice(splitAt).replace(/0+$/, '');

  if (/^0*$/.test(wholeDigits + fractionDigits) || sign === '-') {
    throw new FieldRuleError('Ensure this value is greater than 0.');
  }
  if (fractionDigits.length > MAX_DECIMAL_PLACES) {
    throw new FieldRuleError(
      `Ensure that there are no more than ${MAX_DECIMAL_PLACES} decimal places.`,
    );
  }
  if (wholeDigits.length > MAX_WHOLE_DIGITS) {
    throw new FieldRuleError(
      `Ensure that there are no more than ${MAX_WHOLE_DIGITS} digits before the decimal point.`,
    );
  }
  return `${wholeDigits}.${fractionDigits.padEnd(MAX_DECIMAL_PLACES, '0')}`;
}

/**
 * Applies each field's rule and gathers every failure, so a client learns about all
 * bad fields at once. Fields whose value is undefined are skipped (partial updates).
 */
export function applyFieldRules<T extends Record<string, unknown>>(rules: {
  [K in keyof T]: () => T[K];
}): { values: Partial<T>; errors: Record<string, string[]> } {
  const values: Partial<T> = {};
  const errors: Record<string, string[]> = {};
  for (const field of Object.keys(rules) as (keyof T & string)[]) {
    try {
      const value = rules[field]();
      if (value !== undefined) values[field] = value;
    } catch (error) {
      if (!(error instanceof FieldRuleError)) throw error;
      errors[field] = [error.message];
    }
  }
  return { values, errors };
}
