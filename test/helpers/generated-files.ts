// Committed files that a script generates (openapi.json, the API's TypeScript types):
// a test fails when the committed one differs, showing the first line that does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

export async function assertCommittedAsGenerated(
  file: string,
  name: string,
  generated: string,
): Promise<void> {
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed === generated) return;
  const committedLines = committed.split('\n');
  const generatedLines = generated.split('\n');
  const differs = generatedLines.findIndex((text, index) => text !== committedLines[index]);
  const line = differs === -1 ? generatedLines.length : differs;
  assert.fail(
    `${name} is out of date: run \`npm run openapi\` and commit what it writes.\n` +
      `First difference, line ${line + 1}:\n` +
      `  committed: ${committedLines[line] ?? '(end of file)'}\n` +
      `  generated: ${generatedLines[line] ?? '(end of file)'}`,
  );
}
