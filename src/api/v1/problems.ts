// Errors of the resource API as RFC 9457 problem details (application/problem+json):
// `type` names the kind of problem for programs, `title` says it for people, `detail`
// says what happened this time, and `errors` lists each field's messages.
import type { FastifySchemaValidationError } from 'fastify';
import { Type } from 'typebox';
import type { ClassifiedError, ErrorRenderer } from '../../http/error-handler.ts';

export const PROBLEM_TYPE_PREFIX = 'urn:customer-orders:problem:';

export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'The field, or `query.<name>` for a query parameter' }),
  message: Type.String(),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: `${PROBLEM_TYPE_PREFIX}<kind>`,
      examples: [`${PROBLEM_TYPE_PREFIX}not_found`],
    }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String({ description: 'The request id, as in X-Request-Id' }),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { description: 'RFC 9457 problem details' },
);

/** One example a status, as the reference shows it: real kinds and words of this API. */
function example(status: number, kind: string, detail: string, errors?: object[]) {
  return {
    type: `${PROBLEM_TYPE_PREFIX}${kind}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: 'urn:uuid:4d0c6a8e-1f7b-4a53-9a43-0c2b9d7e5f11',
    ...(errors && { errors }),
  };
}

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Server error',
  503: 'Service unavailable',
};

export const PROBLEM_EXAMPLES = {
  400: example(400, 'schema_validation', 'Some fields are not valid.', [
    {
      field: 'phone_number',
      message: 'Enter a valid phone number with its country code, like +254701036054.',
    },
    { field: 'query.limit', message: 'must be <= 100' },
  ]),
  401: example(401, 'not_authenticated', 'Authentication credentials were not provided.'),
  403: example(
    403,
    'permission_denied',
    'You do not have permission to perform this action: this token can only read.',
  ),
  404: example(404, 'customer_not_found', 'There is no customer with this id.'),
  409: example(409, 'phone_number_taken', 'A customer with this phone number already exists.', [
    { field: 'phone_number', message: 'A customer with this phone number already exists.' },
  ]),
  412: example(
    412,
    'precondition_failed',
    'The resource has changed since your copy (If-Match): read it again, then retry.',
  ),
  422: example(
    422,
    'idempotency_key_reused',
    'This Idempotency-Key was used with another request; use a new key for a new request.',
  ),
  429: example(429, 'throttled', 'Request was throttled. Expected available in 12 seconds.'),
  503: example(
    503,
    'database_unavailable',
    'The database is temporarily unavailable; try again in a few seconds.',
  ),
} as const;

export const renderProblem: ErrorRenderer = (error, request) => {
  const errors = fieldErrors(error);
  return {
    contentType: 'application/problem+json; charset=utf-8',
    body: {
      type: `${PROBLEM_TYPE_PREFIX}${error.kind}`,
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.kind === 'schema_validation' ? 'Some fields are not valid.' : error.message,
      instance: `urn:uuid:${request.id}`,
      ...(errors.length > 0 && { errors }),
    },
  };
};

function fieldErrors(error: ClassifiedError): { field: string; message: string }[] {
  if (error.kind === 'schema_validation') return schemaIssues(error.issues, error.part);
  if ('fields' in error && error.fields !== undefined) {
    return Object.entries(error.fields).flatMap(([field, messages]) =>
      messages.map((message) => ({ field, message })),
    );
  }
  return [];
}

function schemaIssues(
  issues: FastifySchemaValidationError[],
  part: string,
): { field: string; message: string }[] {
  const prefix = part === 'body' ? '' : `${part === 'querystring' ? 'query' : part}.`;
  // One message a field, the clearest: TypeBox reports an unknown field twice (its
  // value against a `false` schema, then the object's additionalProperties).
  const messages = new Map<string, string>();
  for (const issue of issues) {
    const path = issue.instancePath.split('/').slice(1).join('.');
    const params = issue.params as {
      requiredProperties?: string[];
      additionalProperties?: string[];
      allowedValues?: unknown[];
    };
    if (issue.keyword === 'required') {
      for (const name of params.requiredProperties ?? [path]) {
        messages.set(prefix + name, 'This field is required.');
      }
    } else if (issue.keyword === 'additionalProperties') {
      for (const name of params.additionalProperties ?? [path]) {
        messages.set(prefix + name, 'Unknown field.');
      }
    } else if (issue.keyword === 'enum' && params.allowedValues !== undefined) {
      messages.set(prefix + path, `Must be one of: ${params.allowedValues.join(', ')}.`);
    } else if (!messages.has(prefix + path)) {
      messages.set(prefix + path, issue.message ?? 'Invalid value.');
    }
  }
  return [...messages].map(([field, message]) => ({ field, message }));
}
