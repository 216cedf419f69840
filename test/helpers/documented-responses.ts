// Every answer a test app sends is held against the app's own OpenAPI document: for
// the route's operation and the answer's status, the body must be of a documented
// media type and, when JSON, valid against the documented schema (Ajv, JSON Schema
// 2020-12, as OpenAPI 3.1 has it). A mismatch fails the test that got the answer, when
// it ends, so any new test checks the document too.
//
// A status that a documented operation does not list fails too, but for the refusal
// of a host outside ALLOWED_HOSTS, which any route may answer and the document states
// once, in its description. An answer of no operation at all (a hidden route such as a
// 405 or a static file, a path no route serves) is recorded in
// test-artifacts/undocumented-responses.jsonl; a success of the API (a 2xx under
// /api/) is never allowed to be undocumented.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cleanup } from './database.ts';

export const UNDOCUMENTED_RESPONSES_FILE = path.join(
  import.meta.dirname,
  '..',
  '..',
  'test-artifacts',
  'undocumented-responses.jsonl',
);

// The host check's refusal (http/allowed-hosts.ts), in either API's words.
const DISALLOWED_HOST = 'Invalid HTTP_HOST header';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: object;
}

/** Checks every answer of `app` against its document; fails the test when one differs. */
export function checkResponsesAgainstDocument(app: FastifyInstance, cleanup: Cleanup): void {
  const mismatches: string[] = [];
  let checker: ResponseChecker | undefined;
  app.addHook('onSend', async (request, reply, payload) => {
    checker ??= new ResponseChecker(app.swagger() as OpenApiDocument);
    const problem = checker.check(request, reply, payload);
    if (problem !== undefined) mismatches.push(problem);
    return payload;
  });
  cleanup.after(() => {
    if (mismatches.length === 0) return;
    throw new Error(
      `${mismatches.length} answer(s) differ from the OpenAPI document ` +
        '(fix the route schema, or the route, then run `npm run openapi`):\n' +
        mismatches.join('\n'),
    );
  });
}

class ResponseChecker {
  readonly #document: OpenApiDocument;
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<object, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    this.#document = document;
    // The document's keywords beside the schemas (and OpenAPI's own, such as
    // `discriminator`) are not JSON Schema: strict mode would refuse them.
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
  }

  /** What is wrong with this answer, or undefined. */
  check(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
    const method = request.method.toLowerCase();
    const status = reply.statusCode;
    const routeUrl = request.routeOptions.url;
    if (method === 'head' || status === 204 || status === 304) return undefined;
    const where = `${request.method} ${routeUrl ?? request.url} → ${status}`;

    const operation =
      routeUrl === undefined ? undefined : this.#document.paths?.[openApiPath(routeUrl)]?.[method];
    const response = operation?.responses && documentedResponse(operation.responses, status);
    const body = bodyText(payload);
    if (response === undefined) {
      if (status >= 200 && status < 300 && routeUrl?.startsWith('/api/')) {
        return `${where}: a success of the API that the document does not describe`;
      }
      if (operation !== undefined) {
        if (status === 400 && body?.includes(DISALLOWED_HOST)) return undefined;
        return `${where}: a status the operation does not document`;
      }
      recordUndocumented({ method: request.method, route: routeUrl ?? null, status });
      return undefined;
    }

    if (body === undefined) return undefined; // a stream: a file, never JSON here
    const contentType = String(reply.getHeader('content-type') ?? '').split(';')[0] ?? '';
    if (response.content === undefined) {
      return body === '' ? undefined : `${where}: a body, where the document describes none`;
    }
    const media = response.content[contentType.trim().toLowerCase()];
    if (media === undefined) {
      const documented = Object.keys(response.content).join(', ');
      return `${where}: ${contentType || 'no content type'}, where the document says ${documented}`;
    }
    if (media.schema === undefined || !/[/+]json$/.test(contentType)) return undefined;

    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return `${where}: a body that is not JSON: ${body.slice(0, 200)}`;
    }
    const validate = this.#validator(media.schema);
    if (validate(data)) return undefined;
    const errors = this.#ajv.errorsText(validate.errors, { dataVar: 'body' });
    return `${where}: ${errors}\n    body: ${body.slice(0, 500)}`;
  }

  #validator(schema: object): ValidateFunction {
    let validate = this.#validators.get(schema);
    if (validate === undefined) {
      // References point into the document (#/components/schemas/…): compile the
      // schema with the document's components beside it, at its root.
      validate = this.#ajv.compile({ ...schema, components: this.#document.components });
      this.#validators.set(schema, validate);
    }
    return validate;
  }
}

/** The response for `status`: its own, else its range's (4XX), else the default. */
function documentedResponse(
  responses: Record<string, ResponseObject>,
  status: number,
): ResponseObject | undefined {
  return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
}

/** Fastify's `/api/view-customer/:id` is OpenAPI's `/api/view-customer/{id}`. */
function openApiPath(routeUrl: string): string {
  return routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function bodyText(payload: unknown): string | undefined {
  if (payload === null || payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return undefined;
}

const recorded = new Set<string>();

/** One line per kind of answer, for whoever wants to see what the document leaves out. */
function recordUndocumented(entry: { method: string; route: string | null; status: number }): void {
  const line = JSON.stringify(entry);
  if (recorded.has(line)) return;
  recorded.add(line);
  mkdirSync(path.dirname(UNDOCUMENTED_RESPONSES_FILE), { recursive: true });
  appendFileSync(UNDOCUMENTED_RESPONSES_FILE, `${line}\n`);
}
