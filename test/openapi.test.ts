// The OpenAPI document: valid OpenAPI 3.1, committed as openapi.json exactly as the
// routes generate it, served at /openapi.json and read by the reference at /docs.
// (That every answer of the suite matches it is checked by every test app: see
// helpers/documented-responses.ts; the page in a real browser: browser.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Type } from 'typebox';
import { generateOpenApiText, OPENAPI_FILE } from '../scripts/openapi-document.ts';
import { inStableOrder } from '../src/http/openapi-order.ts';
import { assertCommittedAsGenerated } from './helpers/generated-files.ts';
import { buildTestApp } from './helpers/build-app.ts';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

interface Parameter {
  name: string;
  in: string;
  description?: string;
  schema?: { type?: string; enum?: string[]; description?: string };
}
interface OperationDetail {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<
    string,
    {
      headers?: Record<string, unknown>;
      content?: Record<string, { example?: { status?: number; type?: string } }>;
    }
  >;
}

test('when the routes generate their document, it is valid OpenAPI 3.1', async () => {
  const document = JSON.parse(await generateOpenApiText());
  const validator = new Validator();
  const result = await validator.validate(document);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, '3.1');
  assert.equal(document.openapi, '3.1.0');
});

test('when the document holds a schema, it is valid JSON Schema 2020-12, as OpenAPI 3.1 says', async () => {
  const document = JSON.parse(await generateOpenApiText());
  const ajv = new Ajv2020({ strict: false });
  const schemas: unknown[] = [...Object.values(document.components.schemas)];
  for (const item of Object.values(document.paths as Paths)) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses)) {
        const content = (response as { content?: Record<string, { schema: unknown }> }).content;
        for (const media of Object.values(content ?? {})) schemas.push(media.schema);
      }
    }
  }
  assert.ok(schemas.length > 50);
  for (const schema of schemas) {
    assert.equal(ajv.validateSchema(schema as object), true, ajv.errorsText());
  }
});

test('when openapi.json is not what the routes generate, this fails: run `npm run openapi`', async () => {
  await assertCommittedAsGenerated(OPENAPI_FILE, 'openapi.json', await generateOpenApiText());
});

test('when the resource API is documented, its headers, enums and examples are there for Try it out', async () => {
  const document = JSON.parse(await generateOpenApiText());
  const paths = document.paths as Record<string, Record<string, OperationDetail>>;
  const headerParameters = (path: string, method: string) =>
    (paths[path]?.[method]?.parameters ?? [])
      .filter((parameter) => parameter.in === 'header')
      .map((parameter) => parameter.name);
  for (const resource of ['/api/v1/customers/{id}', '/api/v1/orders/{id}']) {
    assert.deepEqual(headerParameters(resource, 'get'), ['if-none-match'], resource);
    assert.deepEqual(headerParameters(resource, 'patch'), ['if-match'], resource);
    assert.deepEqual(headerParameters(resource, 'delete'), ['if-match'], resource);
    assert.ok(paths[resource]?.get?.responses['200']?.headers?.ETag, resource);
    assert.ok(paths[resource]?.patch?.responses['200']?.headers?.ETag, resource);
  }
  for (const collection of ['/api/v1/customers', '/api/v1/orders']) {
    const created = paths[collection]?.post?.responses['201']?.headers ?? {};
    assert.deepEqual(Object.keys(created).sort(), ['Idempotent-Replayed', 'Location'], collection);
  }
  assert.ok(paths['/api/v1/tokens']?.post?.responses['201']?.headers?.Location);

  // Enumerations are strings, so the reference offers their values instead of "any".
  const orderFilters = paths['/api/v1/orders']?.get?.parameters ?? [];
  for (const name of ['ordering', 'sms_status']) {
    const parameter = orderFilters.find((candidate) => candidate.name === name);
    assert.equal(parameter?.schema?.type, 'string', name);
    assert.ok(parameter?.schema?.enum?.length, name);
    assert.ok(parameter?.description ?? parameter?.schema?.description, name);
  }

  // Every problem answer shows an example of its own status.
  for (const [path, item] of Object.entries(paths).filter(([path]) => path.startsWith('/api/v1'))) {
    for (const [method, operation] of Object.entries(item)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.['application/problem+json'];
        if (problem === undefined) continue;
        assert.equal(problem.example?.status, Number(status), `${method} ${path} ${status}`);
        assert.match(problem.example?.type ?? '', /^urn:customer-orders:problem:[a-z_]+$/);
      }
    }
  }
  // Swagger UI fills a body with each field's first example, else with "string".
  for (const path of ['/api/v1/customers', '/api/v1/orders']) {
    const body = paths[path]?.post?.requestBody?.content['application/json'] as {
      schema: { properties: Record<string, { examples?: unknown[] }> };
    };
    for (const [name, property] of Object.entries(body.schema.properties)) {
      assert.ok(property.examples?.length, `${path}: ${name} has no example`);
    }
  }
});

test('when the document lists a tag, some route has it', async () => {
  const document = JSON.parse(await generateOpenApiText());
  const used = new Set<string>();
  for (const item of Object.values(document.paths as Paths)) {
    for (const operation of Object.values(item) as { tags?: string[] }[]) {
      for (const tag of operation.tags ?? []) used.add(tag);
    }
  }
  for (const { name } of document.tags as { name: string }[]) {
    assert.ok(used.has(name), `no route has the tag "${name}": remove it from http/openapi.ts`);
  }
});

test('when routes are registered in another order, the document is written the same', async () => {
  const document = JSON.parse(await generateOpenApiText());
  const reversed = (object: object) => Object.fromEntries(Object.entries(object).reverse());
  const shuffled = reversed({
    ...document,
    paths: reversed(
      Object.fromEntries(
        Object.entries(document.paths as Paths).map(([url, item]) => [
          url,
          reversed(
            Object.fromEntries(
              Object.entries(item).map(([method, operation]) => [
                method,
                { ...operation, responses: reversed(operation.responses) },
              ]),
            ),
          ),
        ]),
      ),
    ),
    components: reversed(document.components),
  });
  assert.equal(JSON.stringify(inStableOrder(shuffled)), JSON.stringify(document));
});

test('when a route is added, the document lists it, with the credentials it needs', async (t) => {
  const { app } = await buildTestApp(t);
  const answer = { response: { 200: Type.Object({ ok: Type.Boolean() }) } };
  app.get('/probe/read', { schema: answer }, () => ({ ok: true }));
  app.post('/probe/write', { schema: answer }, () => ({ ok: true }));
  app.get('/probe/public', { config: { public: true }, schema: answer }, () => ({ ok: true }));
  await app.ready();
  const paths = app.swagger().paths as Paths;

  assert.deepEqual(paths['/probe/read']?.get?.security, [
    { tokenAuth: [] },
    { bearerAuth: [] },
    { sessionCookie: [] },
  ]);
  assert.deepEqual(paths['/probe/write']?.post?.security, [
    { tokenAuth: [] },
    { bearerAuth: [] },
    { sessionCookie: [], csrfToken: [] },
  ]);
  assert.deepEqual(paths['/probe/public']?.get?.security, []);
});

test('when the document is asked for without credentials, /openapi.json answers it', async (t) => {
  const { app } = await buildTestApp(t);
  const response = await app.inject({ url: '/openapi.json' });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  assert.deepEqual(response.json(), app.swagger());
  assert.equal(response.json().servers[0].url, 'http://localhost:8000');
  assert.ok(response.headers['content-security-policy'], 'the site’s headers, as everywhere');
  const paths = response.json().paths as Paths;
  assert.ok(paths['/api/get-customers']?.get, 'the original API');
  assert.ok(paths['/auth/login']?.get, 'sign-in');
  assert.ok(paths['/healthz']?.get, 'health');
  assert.ok(paths['/webhooks/africastalking/delivery']?.post, 'the webhook');
  assert.ok(paths['/docs']?.get, 'the reference');
});

test('when /docs is asked for without credentials, it answers a page whose scripts and styles are files', async (t) => {
  const { app } = await buildTestApp(t);
  const home = await app.inject({ url: '/' });
  for (const url of ['/docs', '/docs/']) {
    const page = await app.inject({ url });
    assert.equal(page.statusCode, 200, url);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(
      page.headers['content-security-policy'],
      home.headers['content-security-policy'],
      'the site’s own policy, not a looser one',
    );
    // Nothing inline: `script-src 'self'` and `style-src 'self'` would refuse it.
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(page.body, /<style|\sstyle=|\son[a-z]+=/i);

    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    assert.ok(assets.length >= 5, `${url}: ${assets.join(', ')}`);
    for (const asset of assets) {
      const assetUrl = new URL(asset ?? '', `http://localhost${url}`).pathname;
      const file = await app.inject({ url: assetUrl });
      assert.equal(file.statusCode, 200, assetUrl);
    }
  }
  const document = await app.inject({ url: '/docs/json' });
  assert.deepEqual(document.json(), app.swagger(), 'the page reads the same document');
});

test('when an answer is not what the document says, the test that got it fails', async (t) => {
  // buildTestApp's clean-ups, run here by hand to see the failure they report.
  const cleanups: (() => unknown)[] = [];
  const failures: unknown[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => failures.push(error));
    }
  });
  const { app, auth } = await buildTestApp({ after: (cleanup) => cleanups.push(cleanup) });
  const counted = { response: { 200: Type.Object({ count: Type.Integer() }) } };
  // Encoded past the schema's serializer, as the error handler encodes errors.
  const wrong = { count: 'many' } as unknown as { count: number };
  app.get('/api/probe-wrong', { schema: counted }, async (_request, reply) =>
    reply.type('application/json').serializer(JSON.stringify).send(wrong),
  );
  app.get('/api/probe-right', { schema: counted }, () => ({ count: 3 }));
  app.get('/api/probe-undocumented', () => ({ count: 3 }));
  app.get('/api/probe-teapot', { schema: counted }, () => {
    throw Object.assign(new Error('I am a teapot'), { statusCode: 418 });
  });
  for (const url of ['/api/probe-wrong', '/api/probe-right', '/api/probe-undocumented']) {
    assert.equal((await app.inject({ url, headers: auth })).statusCode, 200, url);
  }
  assert.equal((await app.inject({ url: '/api/probe-teapot', headers: auth })).statusCode, 418);
  // A host outside ALLOWED_HOSTS is refused on any route, as the document says once.
  const elsewhere = { ...auth, host: 'elsewhere.example' };
  assert.equal((await app.inject({ url: '/api/probe-right', headers: elsewhere })).statusCode, 400);

  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => failures.push(error));
  }
  cleanups.length = 0;
  assert.equal(failures.length, 1);
  const message = (failures[0] as Error).message;
  assert.match(message, /3 answer\(s\) differ from the OpenAPI document/);
  assert.match(message, /GET \/api\/probe-wrong → 200: body\/count must be integer/);
  assert.match(
    message,
    /GET \/api\/probe-undocumented → 200: a body, where the document describes none/,
  );
  assert.match(message, /GET \/api\/probe-teapot → 418: a status the operation does not document/);
  assert.doesNotMatch(message, /probe-right/);
});
