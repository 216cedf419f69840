// One-time messages after an action ("Customer added."), carried across the
// redirect of Post/Redirect/Get in a short-lived cookie and shown by the next page,
// which clears it. Signed with SESSION_SECRET (@fastify/cookie), so that no one but
// the app can make a page say something: the text is escaped anyway, but a planted
// "Your account is locked, call …" would still read as ours. A minute is enough
// for a redirect; a message never shown (a closed tab) dies with it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieOptions } from '../auth/authenticate.ts';
import type { Config } from '../config/config.ts';

const FLASH_COOKIE = 'co_flash';
const FLASH_MAX_AGE_SECONDS = 60;

/** Shows `message` on the next page this browser opens. */
export function setFlash(reply: FastifyReply, config: Config, message: string): void {
  void reply.setCookie(FLASH_COOKIE, message, {
    ...cookieOptions(config),
    httpOnly: true,
    signed: true,
    maxAge: FLASH_MAX_AGE_SECONDS,
  });
}

/** The message waiting for this page, if any; it is cleared, so it shows once. */
export function takeFlash(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
): string | undefined {
  const signed = request.cookies[FLASH_COOKIE];
  if (signed === undefined) return undefined;
  void reply.clearCookie(FLASH_COOKIE, cookieOptions(config));
  const unsigned = request.unsignCookie(signed);
  return unsigned.valid && unsigned.value !== null && unsigned.value !== ''
    ? unsigned.value
    : undefined;
}
