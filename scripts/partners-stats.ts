// `pnpm partners:stats`: per partner, the partner-specific lines of code (declaration, API module,
// resources, mappers, schemas and any other source file; not the fake, fixtures, tests, test
// support or the package's index re-export). Blank and comment-only lines are
// not counted. Target: <= 150 per partner.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../partners', import.meta.url).pathname;
const TARGET = 150;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir).flatMap((f) => files(join(dir, f)));
}

export function codeLines(source: string): number {
  let inBlock = false;
  let n = 0;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlock = true;
      continue;
    }
    n++;
  }
  return n;
}

/** Not partner logic: the fake and its fixtures, tests, test support and the package's re-export. */
const isCounted = (f: string, src: string) => {
  const rel = f.slice(src.length + 1);
  return (
    f.endsWith('.ts') &&
    !f.includes('.test.') &&
    !rel.startsWith('fake/') &&
    !rel.startsWith('fixtures/') &&
    rel !== 'index.ts' &&
    rel !== 'testing.ts'
  );
};

const rows: { partner: string; parts: Record<string, number>; total: number }[] = [];
for (const partner of readdirSync(root).sort()) {
  const src = join(root, partner, 'src');
  if (partner === 'registry' || !existsSync(join(src, 'partner.ts'))) continue;
  const groups: Record<string, string[]> = {
    declaration: [join(src, 'partner.ts'), join(src, 'api.ts')],
    resources: files(join(src, 'resources')),
    mappers: files(join(src, 'mappers')),
    schemas: [join(src, 'schemas.ts'), ...files(join(src, 'schemas'))],
  };
  // Every other source file of the partner (a helper module, a webhook module ...) counts too.
  const grouped = new Set(Object.values(groups).flat());
  groups.other = files(src).filter((f) => !grouped.has(f));
  const parts: Record<string, number> = {};
  for (const [group, list] of Object.entries(groups)) {
    parts[group] = list
      .filter((f) => existsSync(f) && statSync(f).isFile() && isCounted(f, src))
      .reduce((sum, f) => sum + codeLines(readFileSync(f, 'utf8')), 0);
  }
  rows.push({ partner, parts, total: Object.values(parts).reduce((a, b) => a + b, 0) });
}

const header = [
  'partner',
  'declaration',
  'resources',
  'mappers',
  'schemas',
  'other',
  'total',
  `<= ${TARGET}`,
];
const table = [
  header,
  ...rows.map((r) => [
    r.partner,
    ...['declaration', 'resources', 'mappers', 'schemas', 'other'].map((g) => String(r.parts[g] ?? 0)),
    String(r.total),
    r.total <= TARGET ? 'yes' : 'NO',
  ]),
];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
