// `pnpm partners:stats`: per partner, the partner-specific lines of code (declaration, API module,
// resources, mappers, schemas; not the fake, fixtures or tests). Blank and comment-only lines are
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
  const parts: Record<string, number> = {};
  for (const [group, list] of Object.entries(groups)) {
    parts[group] = list
      .filter((f) => existsSync(f) && statSync(f).isFile() && f.endsWith('.ts') && !f.includes('.test.'))
      .reduce((sum, f) => sum + codeLines(readFileSync(f, 'utf8')), 0);
  }
  rows.push({ partner, parts, total: Object.values(parts).reduce((a, b) => a + b, 0) });
}

const header = ['partner', 'declaration', 'resources', 'mappers', 'schemas', 'total', `<= ${TARGET}`];
const table = [
  header,
  ...rows.map((r) => [
    r.partner,
    ...['declaration', 'resources', 'mappers', 'schemas'].map((g) => String(r.parts[g] ?? 0)),
    String(r.total),
    r.total <= TARGET ? 'yes' : 'NO',
  ]),
];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
