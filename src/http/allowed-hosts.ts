// ALLOWED_HOSTS, as Django checks it (django/http/request.py, validate_host): the
// Host header (or X-Forwarded-Host behind a trusted proxy) must name this site.
// Links in answers and the CSRF origin check are built from it, so any other host
// is refused before a route runs.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answers whatever the Host: load balancers probe by address. */
    anyHost?: boolean;
  }
}

// Django's host_validation_re: a name or IPv4 address, or a bracketed IPv6 address,
// and an optional port.
const HOST_PATTERN = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:\d+)?$/;

export function registerAllowedHosts(app: FastifyInstance, allowedHosts: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.anyHost === true) return;
    const host = (request.host as string | undefined) ?? '';
    const domain = domainOf(host);
    if (domain === undefined) {
      throw new AppError(
        'disallowed_host',
        `Invalid HTTP_HOST header: '${host}'. The domain name provided is not valid according to RFC 1034/1035.`,
      );
    }
    if (!allowedHosts.some((pattern) => matches(domain, pattern))) {
      throw new AppError(
        'disallowed_host',
        `Invalid HTTP_HOST header: '${host}'. You may need to add '${domain}' to ALLOWED_HOSTS.`,
      );
    }
  });
}

/** The host without its port, lower-cased, without a trailing dot; undefined when malformed. */
function domainOf(host: string): string | undefined {
  const match = HOST_PATTERN.exec(host.toLowerCase());
  if (match?.[1] === undefined) return undefined;
  return match[1].replace(/\.$/, '');
}

/** `*` matches any host; `.example.com` the domain and its subdomains; else exactly. */
function matches(domain: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('.')) return domain === pattern.slice(1) || domain.endsWith(pattern);
  return domain === pattern;
}
