// DRF's PageNumberPagination as the original app used it: 10 a page, `?page=N` or
// `?page=last`, absolute next/previous links built from the request, `page_size` ignored.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

export const LEGACY_PAGE_SIZE = 10;

export interface PageRequest {
  offset: number;
  limit: number;
}

const invalidPage = () => new AppError('invalid_page', 'Invalid page.');

/** Runs `fetch` for the requested page and shapes DRF's `{count, next, previous, results}`. */
export async function legacyPage<Row, Result>(
  request: FastifyRequest,
  fetch: (page: PageRequest) => Promise<{ total: number; rows: Row[] }>,
  represent: (row: Row) => Result,
) {
  const requested = parsePageParameter(request.query);
  // `last` needs the total first; a plain number can fetch rows and total together.
  let pageNumber = requested === 'last' ? 1 : requested;
  let { total, rows } = await fetch(pageRequest(pageNumber));
  const pageCount = Math.max(1, Math.ceil(total / LEGACY_PAGE_SIZE));
  if (requested === 'last' && pageCount > 1) {
    pageNumber = pageCount;
    ({ total, rows } = await fetch(pageRequest(pageNumber)));
  }
  if (pageNumber > pageCount) throw invalidPage();
  return {
    count: total,
    next: pageNumber < pageCount ? pageLink(request, pageNumber + 1) : null,
    previous: pageNumber > 1 ? pageLink(request, pageNumber - 1) : null,
    results: rows.map(represent),
  };
}

function parsePageParameter(query: unknown): number | 'last' {
  const page = (query as { page?: unknown }).page;
  if (page === undefined) return 1;
  if (page === 'last') return 'last';
  if (typeof page !== 'string' || !/^\d{1,9}$/.test(page) || Number(page) < 1) throw invalidPage();
  return Number(page);
}

function pageRequest(pageNumber: number): PageRequest {
  return { offset: (pageNumber - 1) * LEGACY_PAGE_SIZE, limit: LEGACY_PAGE_SIZE };
}

/** The request's own absolute URL with `page` replaced; page 1 drops it, as DRF does. */
function pageLink(request: FastifyRequest, pageNumber: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  if (pageNumber === 1) url.searchParams.delete('page');
  else url.searchParams.set('page', String(pageNumber));
  return url.href;
}
