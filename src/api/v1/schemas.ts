// Shapes shared by the resource API's routes: lists, ids, timestamps, problems.
import { Type, type TSchema } from 'typebox';
import { ProblemSchema } from './problems.ts';

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

/** Error answers a route may give, documented as problem details. */
export function problems(...statuses: number[]) {
  const problem = { content: { 'application/problem+json': { schema: ProblemSchema } } };
  return Object.fromEntries(statuses.map((status) => [status, problem]));
}

/** The optional header of the POSTs that create something (http/idempotency.ts). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Up to 255 visible ASCII characters. A repeat of the request with the same key within 24 hours answers what the first did (with `Idempotent-Replayed: true`) and creates nothing; the key with another request is a 422; a repeat while the first runs, a 409.',
    }),
  ),
});

/** The answer to a GET whose If-None-Match names the current ETag. */
export const NotModified = {
  304: Type.Null({ description: 'Not modified: your copy (If-None-Match) is current' }),
};
