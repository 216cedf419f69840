// How the pages' answers are described in the OpenAPI document (http/openapi.ts):
// HTML, or a redirect. Response schemas that only document: an HTML page is sent as
// a string, which Fastify never passes through a schema.

/** A response that is an HTML page. */
export function htmlPage(description: string) {
  return { description, content: { 'text/html': { schema: { type: 'string' } } } };
}

/** A redirect, with no body. */
export function redirect(description: string) {
  return {
    description,
    type: 'null',
    headers: { Location: { type: 'string', description: 'Where to go' } },
  };
}
