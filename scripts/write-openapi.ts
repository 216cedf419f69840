// `npm run openapi`: writes the OpenAPI document the routes generate to openapi.json
// at the repository's root, and the TypeScript types generated from it for typed
// clients (test/generated/api.ts). Run it after changing a route; the test suite
// fails while either committed file is out of date. With --types-only (`npm run
// openapi:types`), only the types, from openapi.json as it is.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateOpenApiText, OPENAPI_FILE } from './openapi-document.ts';
import { API_TYPES_FILE, generateApiTypesText } from './openapi-types.ts';

async function write(file: string, text: string): Promise<void> {
  const previous = await readFile(file, 'utf8').catch(() => undefined);
  const name = path.relative(process.cwd(), file);
  if (previous === text) {
    console.log(`${name} is up to date.`);
  } else {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    console.log(`Wrote ${name}.`);
  }
}

const typesOnly = process.argv.includes('--types-only');
const document = typesOnly ? await readFile(OPENAPI_FILE, 'utf8') : await generateOpenApiText();
if (!typesOnly) await write(OPENAPI_FILE, document);
await write(API_TYPES_FILE, await generateApiTypesText(document));
