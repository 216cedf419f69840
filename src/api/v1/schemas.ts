// Shapes shared by the resource API's routes: lists, ids, timestamps, problems.
import { Type, type TSchema } from 'typebox';
import { PROBLEM_EXAMPLES, ProblemSchema } from './problems.ts';

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO 8601, UTC',
  examples: ['2026-11-29T08:00:00.000Z'],
});

/** A value that may be null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const IdParams = Type.Object({ id: Type.String({ description: 'A UUID' }) });

export const LIST_LIMIT_DEFAULT = 20;

/** The query parameters every list takes; each list adds its filters. */
export const listParameters = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      description: `Rows a page, 1–100 (${LIST_LIMIT_DEFAULT} by default)`,
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      description: 'Where the page starts: from `next` or `previous` of another page',
    }),
  ),
  count: Type.Optional(
    Type.Boolean({ description: 'Also answer the exact number of rows the filters find' }),
  ),
};

/** A page of a list: its rows, and absolute links to the pages beside it. */
export function cursorPageSchema<T extends TSchema>(item: T) {
  return Type.Object({
    results: Type.Array(item),
    next: Nullable(Type.String({ format: 'uri' })),
    previous: Nullable(Type.String({ format: 'uri' })),
    count: Type.Optional(Type.Integer({ description: 'Only with ?count=true' })),
  });
}

/** Error answers a route may give, documented as problem details, each with an example. */
export function problems(...statuses: (keyof typeof PROBLEM_EXAMPLES)[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        content: {
          'application/problem+json': { schema: ProblemSchema, example: PROBLEM_EXAMPLES[status] },
        },
      },
    ]),
  );
}

/**
 * A string that is one of `values`, as `{type: 'string', enum}`: TypeBox's Enum leaves
 * out the type, and the reference then shows the parameter as "any".
 */
export function StringEnum<const Values extends readonly string[]>(
  values: Values,
  options: { description?: string } = {},
) {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], ...options });
}

interface HeaderDescription {
  type: 'string';
  description: string;
}

/**
 * `schema`, answered with these headers. Only the document reads them: @fastify/swagger
 * moves `headers` from the schema to the response, and serialisation ignores them.
 */
export function withHeaders<T extends TSchema>(
  schema: T,
  headers: Record<string, HeaderDescription>,
): T {
  return { ...schema, headers };
}

const header = (description: string): HeaderDescription => ({ type: 'string', description });

export const LocationHeader = { Location: header('The path of what was created') };
export const EtagHeader = {
  ETag: header('The version of this representation, for If-None-Match and If-Match'),
};
export const ReplayedHeader = {
  'Idempotent-Replayed': header(
    '`true` when this is the recorded answer to an earlier request with the same Idempotency-Key',
  ),
};

/** The optional header of the POSTs that create something (http/idempotency.ts). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Up to 255 visible ASCII characters. A repeat of the request with the same key within 24 hours answers what the first did (with `Idempotent-Replayed: true`) and creates nothing; the key with another request is a 422; a repeat while the first runs, a 409.',
    }),
  ),
});

/** The optional header of a GET of one resource (http/etag.ts). */
export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({
      description: 'The ETag of your copy: a 304 with no body when it is still current',
    }),
  ),
});

/** The optional header of a change to one resource (http/etag.ts). */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      description:
        'The ETag of the copy you changed: a 412 when the resource changed since, and nothing is changed',
    }),
  ),
});

/** The answer to a GET whose If-None-Match names the current ETag. */
export const NotModified = {
  304: Type.Null({ description: 'Not modified: your copy (If-None-Match) is current' }),
};
