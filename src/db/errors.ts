// PostgreSQL error codes we turn into answers. Drizzle wraps driver errors
// (DrizzleQueryError), so the code may sit on the error or on its cause.
function postgresCode(error: unknown): string | undefined {
  for (let current = error; typeof current === 'object' && current !== null;) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** 23505: a unique constraint refused the row (e.g. a phone number already taken). */
export const isUniqueViolation = (error: unknown) => postgresCode(error) === '23505';

/** 23503: a foreign key refused the row (e.g. its customer was deleted meanwhile). */
export const isForeignKeyViolation = (error: unknown) => postgresCode(error) === '23503';
