// A signed-in browser, made directly in the database (the sign-in flow that makes
// sessions for real is tested in sign-in.test.ts).
import { createSession } from '../../src/auth/sessions.ts';
import { findOrCreateUserByEmail } from '../../src/auth/users.ts';
import type { TestHarness } from './build-app.ts';

/** The CSRF token the test browser holds in its cookie and echoes. */
export const CSRF = 'abcdefghijklmnopqrstuvwxyzABCDEF';

export async function signedIn(target: TestHarness, email = 'staff@example.com') {
  const user = await findOrCreateUserByEmail(target.db.orm, email);
  const session = await createSession(target.db.orm, {
    userId: user.id,
    userAgent: 'test',
    policy: target.config.session,
  });
  return { id: session.id, userId: user.id, cookie: `sessionid=${session.id}; csrftoken=${CSRF}` };
}
