// Absolute links to the request's own resource with other query parameters (the next
// page, the previous one), as clients follow them.
import type { FastifyRequest } from 'fastify';

/**
 * The request's own absolute URL, its query changed by `change`. Like DRF's
 * build_absolute_uri it uses the request's scheme and host: the host was checked
 * against ALLOWED_HOSTS before any route ran (allowed-hosts.ts).
 */
export function linkToSelf(
  request: FastifyRequest,
  publicUrl: URL,
  change: (query: URLSearchParams) => void,
): string {
  const scheme = request.protocol === 'https' ? 'https' : 'http';
  const origin = request.host === '' ? publicUrl.origin : `${scheme}://${request.host}`;
  // Only the path and query of the request line: an absolute-form request line
  // (`GET http://evil.example/…`) must not choose the host either.
  const { pathname, search } = new URL(request.url, 'http://request.invalid');
  const url = new URL(`${pathname}${search}`, origin);
  change(url.searchParams);
  return url.href;
}
