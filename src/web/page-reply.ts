// What every page handler does around its template: who is signed in (for the
// header), the flash message, and how an HTML answer is sent.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken } from '../auth/authenticate.ts';
import type { Config } from '../config/config.ts';
import { takeFlash } from './flash.ts';
import type { Section, SignedInFrame } from './layout.ts';

/**
 * The header's view of the signed-in user. Only for dashboard routes, whose hook
 * (dashboard.ts) has already sent anyone without a session to sign in.
 */
export function signedInFrame(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  section: Section | undefined,
): SignedInFrame {
  const identity = request.identity;
  if (identity?.method !== 'session') throw new Error('a dashboard page without a session');
  return {
    email: identity.user.email,
    csrfToken: csrfToken(request, reply, config),
    section,
    flash: takeFlash(request, reply, config),
  };
}

/**
 * Sends a page. `no-store`: pages show customers' data and carry the CSRF token, and
 * a page from the back button must not show a list from before a change.
 */
export function sendPage(reply: FastifyReply, page: string, status = 200) {
  return reply
    .code(status)
    .header('Cache-Control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page);
}

/**
 * Whether htmx asks for one region of the page only (`hx-target="#<regionId>"`), so
 * the answer is that region's HTML. A history restore asks for the whole page
 * (its target is the body), as does any request without JavaScript.
 */
export function wantsRegion(request: FastifyRequest, regionId: string): boolean {
  return (
    request.headers['hx-request'] === 'true' &&
    request.headers['hx-target']?.toString().endsWith(`#${regionId}`) === true
  );
}
