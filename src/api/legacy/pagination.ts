// DRF's PageNumberPagination as the original app used it: 10 a page, `?page=N` or
// `?page=last`, absolute next/previous links built from the request, `page_size` ignored.
import type { FastifyRequest } from 'fastify';
import { OFFSET_PAGE_SIZE, type OffsetPage } from '../../db/offset-pages.ts';
import { AppError } from '../../core/errors.ts';
import { linkToSelf } from '../../http/links.ts';

export const LEGACY_PAGE_SIZE = OFFSET_PAGE_SIZE;

const invalidPage = () => new AppError('invalid_page', 'Invalid page.');

/** Runs `fetch` for the requested page and shapes DRF's `{count, next, previous, results}`. */
export async function legacyPage<Row, Result>(
  request: FastifyRequest,
  publicUrl: URL,
  fetch: (page: number | 'last') => Promise<OffsetPage<Row>>,
  represent: (row: Row) => Result,
) {
  const { total, page, rows } = await fetch(parsePageParameter(request.query));
  const pageCount = Math.max(1, Math.ceil(total / LEGACY_PAGE_SIZE));
  if (page > pageCount) throw invalidPage();
  return {
    count: total,
    next: page < pageCount ? pageLink(request, publicUrl, page + 1) : null,
    previous: page > 1 ? pageLink(request, publicUrl, page - 1) : null,
    results: rows.map(represent),
  };
}

/**
 * DRF's `query_params.get('page') or 1`, read as Django's paginator reads it, with
 * Python's int(): surrounding spaces, a sign, underscores between digits and the
 * digits of any script are fine (` +1 `, `1_0`, `１`); anything else is invalid.
 */
function parsePageParameter(query: unknown): number | 'last' {
  const page = (query as { page?: unknown }).page;
  if (page === undefined || page === '') return 1;
  if (page === 'last') return 'last';
  const match = typeof page === 'string' ? PYTHON_INT.exec(page.trim()) : null;
  const digits = match?.[2]?.replaceAll('_', '');
  const number = digits === undefined ? NaN : Number([...digits].map(digitValue).join(''));
  if (!Number.isSafeInteger(number) || match?.[1] === '-' || number < 1) throw invalidPage();
  return number;
}

const PYTHON_INT = /^([+-]?)(\p{Nd}(?:_?\p{Nd})*)$/u;

/** The value of a decimal digit of any script: each script's digits run 0–9 in a row. */
function digitValue(digit: string): number {
  const ascii = digit.normalize('NFKC'); // fullwidth and mathematical digits
  if (/^[0-9]$/.test(ascii)) return Number(ascii);
  const codePoint = digit.codePointAt(0) ?? 0;
  let zero = codePoint;
  while (codePoint - zero < 9 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero -= 1;
  return codePoint - zero;
}

/** The request's own absolute URL with `page` replaced; page 1 drops it, as DRF does. */
function pageLink(request: FastifyRequest, publicUrl: URL, pageNumber: number): string {
  return linkToSelf(request, publicUrl, (query) => {
    if (pageNumber === 1) query.delete('page');
    else query.set('page', String(pageNumber));
  });
}
