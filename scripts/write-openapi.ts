// `npm run openapi`: writes the OpenAPI document the routes generate to openapi.json
// at the repository's root. Run it after changing a route; the test suite fails
// while the committed file is out of date.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateOpenApiText, OPENAPI_FILE } from './openapi-document.ts';

const text = await generateOpenApiText();
const previous = await readFile(OPENAPI_FILE, 'utf8').catch(() => undefined);
const name = path.relative(process.cwd(), OPENAPI_FILE);
if (previous === text) {
  console.log(`${name} is up to date.`);
} else {
  await writeFile(OPENAPI_FILE, text);
  console.log(`Wrote ${name}.`);
}
