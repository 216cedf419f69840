// Shapes of the original Django app's API, kept byte-for-byte for its clients.
import { Type, type Static, type TSchema } from 'typebox';
import { CustomerChanges, CustomerInput } from '../../customers/customers.schemas.ts';
import { Amount, CustomerId, Item, OrderChanges } from '../../orders/orders.schemas.ts';

// Examples are the README's: the reference at /docs shows them.
export const LegacyCustomerSchema = Type.Object({
  id: Type.String({ format: 'uuid', examples: ['0b811f4f-7116-4502-93d8-30d8fced278c'] }),
  name: Type.String({ examples: ['boss'] }),
  phone_number: Type.String({
    description: 'E.164, like +254701036054',
    examples: ['+254701036054'],
  }),
});

export const LegacyOrderSchema = Type.Object({
  id: Type.String({ format: 'uuid', examples: ['3f3b4d4d-862a-415d-8aaa-1aafb045d9fa'] }),
  item: Type.String({ examples: ['borns'] }),
  amount: Type.String({
    description: 'Decimal with two places, like "500.00"',
    examples: ['500.00'],
  }),
  created_at: Type.String({
    description: 'UTC, like "June 25, 2024, 05:54 PM"',
    examples: ['June 25, 2024, 05:54 PM'],
  }),
  customer: LegacyCustomerSchema,
});

export const LegacyCustomerDetailsSchema = Type.Object({
  Customer_details: LegacyCustomerSchema,
  orders: Type.Array(
    Type.Object({
      created_at: Type.String({
        description:
          'ISO 8601 in UTC, with microseconds when the time has any, like "2024-06-25T17:54:12.043118Z"',
        examples: ['2024-06-25T17:54:12.043118Z'],
      }),
      item: Type.String({ examples: ['borns'] }),
      // Written with JSON.rawJSON from the stored decimal text: a number on the wire,
      // never a float in between.
      amount: Type.Unsafe<JSONRawValue>({
        type: 'number',
        description: 'A JSON number, like 945.49',
        examples: [500.0],
      }),
    }),
  ),
});

export const LegacyPageQuerySchema = Type.Object({
  page: Type.Optional(Type.String({ description: 'Page number from 1, or "last"' })),
});

export function legacyPageSchema<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({
    count: Type.Integer({ description: 'How many in all', examples: [12] }),
    next: Type.Union([Type.String(), Type.Null()], {
      description: 'The next page, an absolute URL; null on the last',
      examples: ['http://localhost:8000/api/get-customers/?page=2'],
    }),
    previous: Type.Union([Type.String(), Type.Null()], {
      description: 'The previous page; null on the first',
      examples: [null],
    }),
    results: Type.Array(item),
  });
}

export const LegacyIdParamsSchema = Type.Object({
  id: Type.String({ description: 'A UUID; anything else answers 400' }),
});

export const LegacyDetailSchema = Type.Object({
  detail: Type.String({ examples: ['Customer bosslady successfully deleted'] }),
});

// Request bodies: the domains' schemas, with the original API's leniencies.
export const CreateCustomerSchema = CustomerInput;
export const UpdateCustomerSchema = CustomerChanges;

// Every field optional for the schema, types still checked: the original looked the
// customer up before reading the rest, so a missing customer_id answers 404 and an
// unknown customer 404 whatever else is missing; the service then names what is.
export const CreateOrderSchema = Type.Partial(
  Type.Object({
    customer_id: Type.Union([CustomerId, Type.Null()]),
    item: Item,
    amount: Amount,
  }),
);
export const UpdateOrderSchema = OrderChanges;

// The original API's error bodies, as drf-errors.ts writes them. They are shared
// schemas (app.addSchema, see LEGACY_SHARED_SCHEMAS): the OpenAPI document names each
// once, under components, and every response that can carry it refers to it. They
// document; they do not shape: the error handler writes error bodies itself (see
// http/error-handler.ts), so these schemas cannot change a byte of them.

export const DrfDetailSchema = Type.Object(
  { detail: Type.String() },
  {
    $id: 'DrfDetail',
    additionalProperties: false,
    description: "DRF's body for a refusal that is not about one field",
    examples: [{ detail: 'Authentication credentials were not provided.' }],
  },
);

// Keys are the names of the fields sent (or `non_field_errors`): any string.
export const DrfFieldErrorsSchema = Type.Record(Type.String(), Type.Array(Type.String()), {
  $id: 'DrfFieldErrors',
  description:
    'Messages per field, every bad field at once; `non_field_errors` when the body as a whole is wrong',
  examples: [
    { phone_number: ['customer with this phone number already exists.'] },
    { name: ['This field is required.'], amount: ['A valid number is required.'] },
  ],
});

export const DrfErrorSchema = Type.Object(
  { error: Type.String() },
  {
    $id: 'DrfError',
    additionalProperties: false,
    description:
      "The original's body for an unknown id (Django's get_object_or_404) or an id that is not a UUID",
    examples: [
      { error: 'No Customer matches the given query.' },
      { error: "['“42” is not a valid UUID.']" },
    ],
  },
);

/** For app.addSchema, before the original API's routes are registered. */
export const LEGACY_SHARED_SCHEMAS = [DrfDetailSchema, DrfFieldErrorsSchema, DrfErrorSchema];

/**
 * A response that carries one of `bodies`: shared schemas by reference, others as
 * they are. `description` says when it is answered; `headers` what comes with it.
 */
export function drfAnswer<T extends TSchema[]>(
  description: string,
  bodies: [...T],
  headers?: Record<string, { type: string; description: string }>,
) {
  const schemas = bodies.map((body: TSchema & { $id?: unknown }) =>
    typeof body.$id === 'string' ? { $ref: `${body.$id}#` } : body,
  );
  const [only] = schemas;
  const body = schemas.length === 1 && only !== undefined ? only : { anyOf: schemas };
  // @fastify/swagger reads the response's description from `description` beside a
  // $ref (which it then drops), else from `x-response-description` (which, unlike
  // `description`, it does not also leave on the schema).
  const descriptionKey = '$ref' in body ? 'description' : 'x-response-description';
  return Type.Unsafe<Static<T[number]>>({
    ...body,
    [descriptionKey]: description,
    ...(headers && { headers }),
  });
}

const RETRY_AFTER = {
  'Retry-After': { type: 'integer', description: 'Seconds to wait before trying again' },
};

/** What every authenticated route of the original API may answer besides its own. */
export const LEGACY_AUTHENTICATED_ERRORS = {
  401: drfAnswer(
    'No credentials, or a token or session that is not (or no longer) valid: ' +
      '`{"detail": "Authentication credentials were not provided."}`, `{"detail": "Invalid token."}`',
    [DrfDetailSchema],
    { 'WWW-Authenticate': { type: 'string', description: '`Token`' } },
  ),
  429: drfAnswer(
    'Too many requests (`RATE_LIMIT_API`): ' +
      '`{"detail": "Request was throttled. Expected available in 42 seconds."}`',
    [DrfDetailSchema],
    RETRY_AFTER,
  ),
  503: drfAnswer(
    'The database is out of reach or too slow: ' +
      '`{"detail": "The database is temporarily unavailable; try again in a few seconds."}`',
    [DrfDetailSchema],
    RETRY_AFTER,
  ),
};

/** …and what a route that changes something may answer too. */
export const LEGACY_WRITE_ERRORS = {
  ...LEGACY_AUTHENTICATED_ERRORS,
  403: drfAnswer(
    'A session without a valid CSRF token (`{"detail": "CSRF Failed: CSRF token missing."}`), ' +
      'or a read-only token',
    [DrfDetailSchema],
  ),
};

/** …and what a route that reads a body may answer too. */
export const LEGACY_BODY_ERRORS = {
  413: drfAnswer('The body is over 100 KB: `{"detail": "Request body is larger than 100 KB."}`', [
    DrfDetailSchema,
  ]),
  415: drfAnswer(
    'The body is neither JSON nor form-encoded: ' +
      '`{"detail": "Unsupported media type \\"text/plain\\" in request."}`',
    [DrfDetailSchema],
  ),
};

/** The numbered lists' answer for a page that is not there. */
export const LEGACY_INVALID_PAGE = drfAnswer(
  'A page past the end, or not a page number: `{"detail": "Invalid page."}`',
  [DrfDetailSchema],
);

/** The answer of every route with an id, for one that is not a UUID. */
export const LEGACY_INVALID_ID = drfAnswer(
  'The id is not a UUID: `{"error": "[\'“42” is not a valid UUID.\']"}`',
  [DrfErrorSchema],
);
