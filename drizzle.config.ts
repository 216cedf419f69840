import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` reads this: it diffs src/db/schema.ts against the
// committed migrations and writes the next SQL file. No database is needed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
