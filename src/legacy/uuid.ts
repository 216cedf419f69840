import { AppError } from '../errors.ts';
import { isUuid } from '../fields.ts';

/** The id itself, or Django's 400 for an id that is not a UUID. */
export function requireUuid(id: string): string {
  if (!isUuid(id)) throw new AppError('invalid_uuid', `“${id}” is not a valid UUID.`);
  return id;
}
