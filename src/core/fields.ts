// Rules for the values people type: names and items, phone numbers, money. Each
// function returns the normalised value or throws FieldRuleError with the message
// DRF would have given, so both APIs report the same words.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { validationError } from './errors.ts';

export class FieldRuleError extends Error {}

export const TEXT_MAX_LENGTH = 100;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** The id itself, when it is a UUID. */
export function checkUuid(value: string): string {
  if (!isUuid(value)) throw new FieldRuleError('Must be a valid UUID.');
  return value;
}

// C0 and C1 control characters (tab and newline among them), and the explicit
// bidirectional embeddings, overrides and isolates: in a name or an item they only
// make trouble (an escape sequence in a terminal, "evil\u202egnp.exe" shown as
// "evilexe.png"). Right-to-left scripts need none of them.
const CONTROL_CHARACTER = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
// Text that shows nothing: spaces, format characters such as zero-width spaces and
// joiners, the default-ignorable fillers (U+3164…), and the blank braille pattern.
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Trimmed text of 1–100 characters (counted in code points, as PostgreSQL does). */
export function cleanText(value: string, maxLength = TEXT_MAX_LENGTH): string {
  // PostgreSQL cannot store NUL in text, and lone surrogates cannot be encoded as UTF-8.
  if (value.includes('\u0000')) throw new FieldRuleError('Null characters are not allowed.');
  if (!value.isWellFormed()) throw new FieldRuleError('Enter valid Unicode text.');
  const trimmed = value.trim();
  if (CONTROL_CHARACTER.test(trimmed)) {
    throw new FieldRuleError('Control characters are not allowed.');
  }
  if (INVISIBLE_ONLY.test(trimmed)) throw new FieldRuleError('This field may not be blank.');
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
 * Money as a decimal string with two places ("100.00"), for numeric(12,2): an
 * order's amount is more than 0; a filter's bound (`allowZero`) may be 0.
 * Works on the text of the number, never on a float: JSON numbers reach here as
 * their source text (see parseJsonBody in body-parsers.ts).
 */
export function parseAmount(
  value: string | number,
  { allowZero = false }: { allowZero?: boolean } = {},
): string {
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

  const isZero = /^0*$/.test(wholeDigits + fractionDigits);
  if (allowZero ? sign === '-' && !isZero : isZero || sign === '-') {
    throw new FieldRuleError(
      `Ensure this value is greater than ${allowZero ? 'or equal to ' : ''}0.`,
    );
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

/** Each field's rule: takes the value as sent, returns it normalised or throws FieldRuleError. */
// ISO 8601 with a time zone (Z or ±hh:mm), or a date alone (midnight UTC).
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A point in time, from ISO 8601: `2026-11-29T08:00:00Z`, `…+03:00`, or `2026-11-29`. */
export function parseInstant(value: string): Date {
  const date = new Date(value);
  if (!INSTANT.test(value) || Number.isNaN(date.getTime())) {
    throw new FieldRuleError(
      'Enter a date, or a date and time with its time zone, in ISO 8601: 2026-11-29 or 2026-11-29T08:00:00Z.',
    );
  }
  return date;
}

type FieldRules = Record<string, (value: never) => unknown>;
type FieldsIn<Rules extends FieldRules> = {
  [K in keyof Rules]?: Parameters<Rules[K]>[0] | undefined;
};
type FieldsOut<Rules extends FieldRules> = { [K in keyof Rules]: ReturnType<Rules[K]> };

/**
 * Applies each present field's rule and reports every failure at once (400, per
 * field, as DRF does). With 'all', an absent field is a failure too, and the result
 * has every field; with 'present' (partial updates), absent fields are left out.
 */
export function checkFields<Rules extends FieldRules>(
  input: FieldsIn<Rules>,
  rules: Rules,
  mode: 'all',
): FieldsOut<Rules>;
export function checkFields<Rules extends FieldRules>(
  input: FieldsIn<Rules>,
  rules: Rules,
  mode: 'present',
): Partial<FieldsOut<Rules>>;
export function checkFields<Rules extends FieldRules>(
  input: FieldsIn<Rules>,
  rules: Rules,
  mode: 'all' | 'present',
): Partial<FieldsOut<Rules>> {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const [field, rule] of Object.entries(rules)) {
    const value = input[field];
    if (value === undefined) {
      if (mode === 'all') errors[field] = ['This field is required.'];
      continue;
    }
    try {
      values[field] = rule(value);
    } catch (error) {
      if (!(error instanceof FieldRuleError)) throw error;
      errors[field] = [error.message];
    }
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return values as Partial<FieldsOut<Rules>>;
}
