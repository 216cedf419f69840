// The dashboard's pages as a browser without JavaScript uses them: GET a page with
// the session cookie, POST a form (urlencoded, with the CSRF field unless told not to).
import type { TestApp } from './build-app.ts';
import { CSRF } from './sessions.ts';

export function getPage(app: TestApp, url: string, cookie?: string, headers = {}) {
  return app.inject({
    url,
    headers: { accept: 'text/html', ...(cookie === undefined ? {} : { cookie }), ...headers },
  });
}

export function postForm(
  app: TestApp,
  url: string,
  cookie: string | undefined,
  fields: Record<string, string>,
  options: { csrf?: boolean } = {},
) {
  const body = new URLSearchParams(fields);
  if (options.csrf !== false) body.set('csrfmiddlewaretoken', CSRF);
  return app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
      ...(cookie === undefined ? {} : { cookie }),
    },
    payload: body.toString(),
  });
}

/** The page's text without its tags, for asserting what a person reads. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}
