// A page of a resource-API list as answered: its rows, absolute links to the pages
// beside it (the request's own URL with their cursor), and the count when asked for.
import type { FastifyRequest } from 'fastify';
import { AppError, isValidationError } from '../../core/errors.ts';
import type { CursorPage } from '../../db/keyset.ts';
import { linkToSelf } from '../../http/links.ts';

export function cursorPageAnswer<Row, Item>(
  request: FastifyRequest,
  publicUrl: URL,
  page: CursorPage<Row>,
  total: number | undefined,
  represent: (row: Row) => Item,
) {
  const link = (cursor: string | undefined) =>
    cursor === undefined
      ? null
      : linkToSelf(request, publicUrl, (query) => query.set('cursor', cursor));
  return {
    results: page.rows.map(represent),
    next: link(page.next),
    previous: link(page.previous),
    ...(total !== undefined && { count: total }),
  };
}

/**
 * Runs a list's work, naming the fields of a failed filter check as the query
 * parameters they came from (`query.min_amount`), as the schema's own errors do: the
 * services name the bare field, which in a body would be the field itself.
 */
export async function withQueryFieldNames<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isValidationError(error) || error.fields === undefined) throw error;
    const fields = Object.fromEntries(
      Object.entries(error.fields).map(([field, messages]) => [`query.${field}`, messages]),
    );
    throw new AppError(error.kind, error.message, fields);
  }
}
