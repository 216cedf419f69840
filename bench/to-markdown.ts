// `node bench/to-markdown.ts [bench/results/latest.json]`: the results as the Markdown
// table of bench/README.md.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface Row {
  scenario: string;
  connections: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  ceiling_rps: number | null;
  share: number | null;
  rss_mb: number | null;
  cpu_pct: number | null;
  postgres_cpu_pct: number | null;
  other_cpu_pct: number | null;
}

const file = process.argv[2] ?? path.join(import.meta.dirname, 'results', 'latest.json');
const rows = JSON.parse(await readFile(file, 'utf8')) as Row[];
const dash = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : value;
console.log(
  '| scenario | conns | req/s | p50 / p99 ms | errors | SQL ceiling/s | share | RSS MB | CPU % | PG CPU % | other CPU % |',
);
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const row of rows) {
  const share = row.share === null ? '–' : `${Math.round(100 * row.share)} %`;
  console.log(
    `| \`${row.scenario}\` | ${row.connections} | ${row.rps} | ${row.p50_ms} / ${row.p99_ms} | ${row.errors} | ${dash(row.ceiling_rps)} | ${share} | ${dash(row.rss_mb)} | ${dash(row.cpu_pct)} | ${dash(row.postgres_cpu_pct)} | ${dash(row.other_cpu_pct)} |`,
  );
}
