// The documentation stands alone: a fresh clone has every file it links to.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..');

test('when the README and docs/ link to a file, it is in the repository', () => {
  const documents = [
    'README.md',
    // The documents, not docs/screenshots/ (the pictures they show).
    ...readdirSync(path.join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  for (const document of documents) {
    const text = readFileSync(path.join(root, document), 'utf8');
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const file = path.resolve(root, path.dirname(document), target.split('#')[0] ?? '');
      assert.ok(file.startsWith(`${root}${path.sep}`), `${document} links outside: ${target}`);
      assert.ok(existsSync(file), `${document} links to a missing file: ${target}`);
    }
  }
});
