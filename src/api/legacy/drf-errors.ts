// Errors as the original API (Django REST Framework) wrote them, byte for byte:
// `{"detail": …}`, `{"<field>": ["…"]}`, `{"error": …}`. Routes outside the two APIs
// (health, pages' JSON, the webhook) answer in this shape too, as they always have.
import type { FastifySchemaValidationError } from 'fastify';
import type { FieldErrors } from '../../core/errors.ts';
import type { ClassifiedError, ErrorRenderer } from '../../http/error-handler.ts';

const JSON_UTF8 = 'application/json; charset=utf-8';

export const renderDrfError: ErrorRenderer = (error) => {
  // DRF's unique validator made a taken phone number a field error, not a conflict.
  if (error.kind === 'phone_number_taken') {
    const body = { phone_number: ['customer with this phone number already exists.'] };
    return { status: 400, contentType: JSON_UTF8, body };
  }
  return { contentType: JSON_UTF8, body: drfBody(error) };
};

function drfBody(error: ClassifiedError): unknown {
  switch (error.kind) {
    case 'validation_failed':
      return error.fields ?? {};
    case 'schema_validation':
      return schemaErrorFields(error.issues, error.checked);
    // Django's get_object_or_404 words.
    case 'customer_not_found':
      return { error: 'No Customer matches the given query.' };
    case 'order_not_found':
      return { error: 'No Order matches the given query.' };
    case 'invalid_uuid':
      return { error: error.message };
    case 'missing_lookup':
      // The original answered with a bare JSON string here (Fastify would send a
      // string payload unquoted, so it is encoded here).
      return JSON.stringify(error.message);
    default:
      return { detail: error.message };
  }
}

const JSON_TYPE_NAMES: Record<string, string> = {
  object: 'dict',
  array: 'list',
  string: 'str',
  number: 'int',
  boolean: 'bool',
  null: 'NoneType',
};

/** Schema validation errors as DRF's per-field messages: `{"name": ["This field is required."]}`. */
function schemaErrorFields(issues: FastifySchemaValidationError[], data: unknown): FieldErrors {
  const fields: FieldErrors = {};
  const add = (field: string, message: string) => {
    fields[field] ??= [message];
  };
  const numberFields = new Set<string>();
  for (const issue of issues) {
    const field = issue.instancePath.split('/')[1];
    if (field === undefined) {
      if (issue.keyword === 'required') {
        const present = typeof data === 'object' && data !== null ? data : {};
        for (const name of (issue.params as { requiredProperties?: string[] }).requiredProperties ??
          []) {
          if (!(name in present)) add(name, 'This field is required.');
        }
      } else if (issue.keyword === 'type') {
        add('non_field_errors', `Invalid data. Expected a dictionary, but got ${typeName(data)}.`);
      } else {
        add('non_field_errors', issue.message ?? 'Invalid data.');
      }
      continue;
    }
    const value = (data as Record<string, unknown>)[field];
    if (value === null) add(field, 'This field may not be null.');
    else if (issue.keyword === 'anyOf') {
      // A union that takes a number (amount: a number or a decimal string) says so;
      // others (a string or null) keep the message of their first alternative.
      if (numberFields.has(field)) fields[field] = ['A valid number is required.'];
    } else if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'number') {
      numberFields.add(field);
    } else if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'string') {
      add(field, 'Not a valid string.');
    } else if (issue.keyword === 'type' && (issue.params as { type?: string }).type === 'boolean') {
      add(field, 'Must be a valid boolean.');
    } else add(field, issue.message ?? 'Invalid value.');
  }
  return fields;
}

function typeName(value: unknown): string {
  const name = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return JSON_TYPE_NAMES[name] ?? name;
}
