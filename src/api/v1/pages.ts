// A page of a resource-API list as answered: its rows, absolute links to the pages
// beside it (the request's own URL with their cursor), and the count when asked for.
import type { FastifyRequest } from 'fastify';
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
