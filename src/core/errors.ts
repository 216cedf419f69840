// The closed set of errors services may throw, in the service's own words. Each kind
// has one HTTP status; how the answer looks (and, for the original API, which words
// and sometimes which status) is each API's renderer's business.

const STATUS_BY_KIND = {
  validation_failed: 400,
  disallowed_host: 400,
  missing_lookup: 400,
  invalid_uuid: 400,
  not_authenticated: 401,
  invalid_token: 401,
  permission_denied: 403,
  customer_not_found: 404,
  order_not_found: 404,
  sms_not_found: 404,
  token_not_found: 404,
  invalid_page: 404,
  invalid_cursor: 400,
  invalid_idempotency_key: 400,
  not_found: 404,
  method_not_allowed: 405,
  customer_has_orders: 409,
  phone_number_taken: 409,
  sms_not_failed: 409,
  idempotency_key_in_use: 409,
  idempotency_key_reused: 422,
  precondition_failed: 412,
  throttled: 429,
} as const;

export type ErrorKind = keyof typeof STATUS_BY_KIND;

/** Messages per field, as both APIs report them (DRF's shape): `{"phone_number": ["Enter a valid phone number."]}`. */
export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly statusCode: number;
  readonly fields: FieldErrors | undefined;

  constructor(kind: ErrorKind, message: string, fields?: FieldErrors) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.statusCode = STATUS_BY_KIND[kind];
    this.fields = fields;
  }
}

export function validationError(fields: FieldErrors): AppError {
  return new AppError('validation_failed', 'Invalid input.', fields);
}

export function isValidationError(error: unknown): error is AppError {
  return error instanceof AppError && error.kind === 'validation_failed';
}
