// Conditional requests on single resources (RFC 9110 §13): an ETag per
// representation; `If-None-Match` on GET answers 304 when the client's copy is
// current; `If-Match` on PATCH and DELETE refuses (412) a change made from a stale
// copy. The ETag is a hash of the JSON representation, so any change a client could
// see changes it.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';

/** A strong ETag for a representation. */
export function etagOf(representation: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(representation)).digest('base64url');
  return `"${hash.slice(0, 27)}"`;
}

/** The entity tags of an If-Match or If-None-Match header, as sent; '*' for any. */
function entityTags(header: string | string[] | undefined): string[] | '*' | undefined {
  if (header === undefined) return undefined;
  const value = [header].flat().join(',').trim();
  if (value === '*') return '*';
  return value.split(',').map((tag) => tag.trim());
}

const weak = (tag: string) => tag.replace(/^W\//, '');

/**
 * Sends `representation` with its ETag, or 304 without a body when If-None-Match
 * names that ETag (compared weakly, as RFC 9110 says for GET).
 */
export function sendWithEtag<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  representation: T,
): T | FastifyReply {
  const etag = etagOf(representation);
  void reply.header('ETag', etag);
  const tags = entityTags(request.headers['if-none-match']);
  if (tags === '*' || tags?.some((tag) => weak(tag) === etag)) return reply.code(304).send();
  return representation;
}

/** Whether a change is asked on condition of the resource's current version. */
export const hasIfMatch = (request: FastifyRequest) => request.headers['if-match'] !== undefined;

/** Refuses (412) a change asked with If-Match for another version than `current`. */
export function checkIfMatch(request: FastifyRequest, current: unknown): void {
  const tags = entityTags(request.headers['if-match']);
  if (tags === undefined || tags === '*') return;
  // Strong comparison, as for every change: a weak tag never matches.
  if (!tags.includes(etagOf(current))) {
    throw new AppError(
      'precondition_failed',
      'The resource has changed since your copy (If-Match): read it again, then retry.',
    );
  }
}
