import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout, checked from the sources themselves: the workspace packages depend on each other in one
// direction only (contracts <- platform <- partner-kit <- partners and app-store <- the partner
// registry <- services), no service imports another, a package imports only what its package.json
// declares, no relative import leaves its package, and a partner's declaration (what auth and the
// scheduler load) reaches neither the partner's API code nor the kit's HTTP, database or broker code.

const root = resolve(import.meta.dirname, '..');

interface Workspace {
  name: string;
  dir: string;
  layer: number;
  deps: Set<string>;
  exports: Record<string, string>;
}

/** Lower layers never import higher ones; within a layer only the partner registry has no peers. */
const LAYERS: [RegExp, number][] = [
  [/^packages\/contracts$/, 0],
  [/^packages\/platform$/, 1],
  [/^packages\/partner-kit$/, 2],
  [/^packages\/app-store$/, 3],
  [/^partners\/(?!registry$)[^/]+$/, 3],
  [/^partners\/registry$/, 4],
  [/^services\/[^/]+$/, 5],
];

function workspaces(): Workspace[] {
  const found: Workspace[] = [];
  for (const group of ['packages', 'partners', 'services']) {
    for (const entry of readdirSync(join(root, group)).sort()) {
      const dir = join(group, entry);
      const manifest = join(root, dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name: string;
        exports?: Record<string, string>;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const layer = LAYERS.find(([pattern]) => pattern.test(dir))?.[1];
      if (layer === undefined) throw new Error(`${dir} has no place in the layout: add it to LAYERS`);
      const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
      found.push({
        name: pkg.name,
        dir,
        layer,
        deps: new Set(deps.filter((d) => d.startsWith('@healthsync/'))),
        exports: pkg.exports ?? { '.': './src/index.ts' },
      });
    }
  }
  return found;
}

const spaces = workspaces();
const byName = new Map(spaces.map((w) => [w.name, w]));
const ownerOf = (file: string) =>
  spaces.find((w) => relative(join(root, w.dir), file).split('/')[0] !== '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return f === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports (`valueOnly`: without `import type`). */
function specifiers(file: string, valueOnly = false): string[] {
  const text = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s(type\s)?[^;]*?\sfrom\s+'([^']+)'/g))
    if (!(valueOnly && m[1])) found.add(m[2]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g)) found.add(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.add(m[1]!);
  return [...found];
}

type Target = { file: string } | { external: string };

function resolveSpecifier(from: string, spec: string): Target {
  if (spec.startsWith('.')) {
    const path = resolve(dirname(from), spec);
    for (const candidate of [path.replace(/\.js$/, '.ts'), path, `${path}.ts`, join(path, 'index.ts')])
      if (existsSync(candidate) && statSync(candidate).isFile()) return { file: candidate };
    throw new Error(`${relative(root, from)}: cannot resolve '${spec}'`);
  }
  const [scope, name, ...rest] = spec.split('/');
  const pkg = spec.startsWith('@') ? `${scope}/${name}` : scope!;
  const space = byName.get(pkg);
  if (!space) return { external: pkg };
  const subpath = spec.startsWith('@') ? rest.join('/') : [name, ...rest].join('/');
  const entry = space.exports[subpath ? `./${subpath}` : '.'];
  if (!entry) throw new Error(`${relative(root, from)}: ${pkg} exports no '${subpath || '.'}'`);
  return { file: join(root, space.dir, entry) };
}

/** Every module a file reaches, following workspace imports through the packages' exports. */
function reach(start: string): { files: Set<string>; externals: Set<string> } {
  const files = new Set<string>();
  const externals = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('node:')) continue;
      const target = resolveSpecifier(file, spec);
      if ('external' in target) externals.add(target.external);
      else queue.push(target.file);
    }
  }
  return { files, externals };
}

describe('workspace layout', () => {
  it('knows every workspace package', () => {
    expect(spaces.map((w) => w.name)).toEqual(
      expect.arrayContaining([
        '@healthsync/contracts',
        '@healthsync/platform',
        '@healthsync/partner-kit',
        '@healthsync/partners',
        '@healthsync/auth',
        '@healthsync/sync-worker',
      ]),
    );
  });

  it('depends only downwards: no service on a service, no partner on a partner', () => {
    const upward = spaces.flatMap((w) =>
      [...w.deps]
        .filter((d) => {
          const dep = byName.get(d);
          return !dep || dep.layer >= w.layer;
        })
        .map((d) => `${w.name} -> ${d}`),
    );
    expect(upward).toEqual([]);
  });

  it('imports only declared workspace packages, and no relative import leaves its package', () => {
    const wrong: string[] = [];
    for (const w of spaces) {
      for (const file of sources(join(root, w.dir, 'src'))) {
        for (const spec of specifiers(file)) {
          if (spec.startsWith('node:')) continue;
          const target = resolveSpecifier(file, spec);
          if ('external' in target) continue;
          const owner = ownerOf(target.file);
          if (owner === w) continue;
          if (spec.startsWith('.')) wrong.push(`${relative(root, file)}: '${spec}' leaves ${w.name}`);
          else if (!owner || !w.deps.has(owner.name))
            wrong.push(`${relative(root, file)}: '${spec}' is not a dependency of ${w.name}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between modules (type-only imports aside: they are erased)', () => {
    const modules = spaces.flatMap((w) => sources(join(root, w.dir, 'src')));
    const edges = new Map(
      modules.map((file) => [
        file,
        specifiers(file, true)
          .filter((s) => !s.startsWith('node:'))
          .map((s) => resolveSpecifier(file, s))
          .flatMap((t) => ('file' in t ? [t.file] : [])),
      ]),
    );
    // Depth-first search; a module met again while still on the path closes a cycle.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open')
          cycles.push(
            [...path.slice(path.indexOf(next)), file, next].map((f) => relative(root, f)).join(' -> '),
          );
        else if (!state.has(next)) visit(next, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of modules) if (!state.has(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe('services own their tables', () => {
  /** Each service's schema and tables, read from its migrations (and the platform's outbox, inbox, event log). */
  const services = spaces
    .filter((w) => w.dir.startsWith('services/'))
    .map((w) => {
      const migrations = sources(join(root, w.dir, 'src/db/migrations'));
      const text = migrations.map((f) => readFileSync(f, 'utf8')).join('\n');
      const schema = /export const SCHEMA = '([a-z_]+)'/.exec(text)?.[1];
      if (!schema) throw new Error(`${w.dir}: no SCHEMA in its migrations`);
      const made = [...text.matchAll(/(?:create table|createTable\(')\s*([a-z_]+)\.([a-z_]+)/g)]
        .filter((m) => m[1] === schema)
        .map((m) => m[2]!);
      return { space: w, schema, tables: new Set([...made, 'outbox', 'inbox', 'event_log']) };
    });

  it('finds every service schema and its tables', () => {
    expect(services.map((s) => s.schema).sort()).toEqual(['auth', 'change_detector', 'scheduler', 'sync']);
    for (const s of services) expect(s.tables.size).toBeGreaterThan(3);
  });

  it("no service's code names another service's table", () => {
    const wrong: string[] = [];
    for (const { space, schema } of services) {
      const files = sources(join(root, space.dir, 'src')).filter((f) => !f.includes('.test.'));
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const other of services) {
          if (other.schema === schema) continue;
          for (const m of text.matchAll(new RegExp(`\\b${other.schema}\\.([a-z_]+)\\b`, 'g')))
            if (other.tables.has(m[1]!)) wrong.push(`${relative(root, file)}: ${m[0]}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('declarations load no API code', () => {
  // What only API code needs: the partner HTTP client, the database, the broker, OAuth clients, servers.
  const API_ONLY = ['kysely', 'pg', 'amqplib', 'express', 'openid-client', 'oauth-1.0a'];
  const kitMain = join(root, 'packages/partner-kit/src/index.ts');

  it("the kit's declaration entry reaches none of the kit's API modules or their libraries", () => {
    const { files, externals } = reach(join(root, 'packages/partner-kit/src/declaration.ts'));
    expect([...externals].filter((e) => API_ONLY.includes(e))).toEqual([]);
    expect(files.has(kitMain)).toBe(false);
  });

  it.each(spaces.filter((w) => w.dir.startsWith('partners/') && w.exports['./declaration']))(
    '$name: its declaration reaches only the kit declaration entry and its own schemas',
    (w) => {
      const { files, externals } = reach(join(root, w.dir, w.exports['./declaration']!));
      const api = [...files]
        .map((f) => relative(root, f))
        .filter(
          (f) =>
            f === 'packages/partner-kit/src/index.ts' ||
            /^partners\/[^/]+\/src\/(api\.ts|resources\/|mappers\/|fake\/)/.test(f),
        );
      expect(api).toEqual([]);
      expect([...externals].filter((e) => API_ONLY.includes(e))).toEqual([]);
    },
  );

  it('the scheduler, which reads declarations only, reaches no partner API code', () => {
    const main = join(root, 'services/scheduler/src/main.ts');
    const clis = sources(join(root, 'services/scheduler/src/cli'));
    const reached = [main, ...clis].flatMap((f) => [...reach(f).files].map((r) => relative(root, r)));
    expect(reached.filter((f) => f === 'packages/partner-kit/src/index.ts' || /\/api\.ts$/.test(f))).toEqual(
      [],
    );
  });
});
