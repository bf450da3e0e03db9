/**
 * The package graph as a test (STYLE 7.3): every `@lattn/*` runtime dependency must be allowed by the table in
 * docs/architecture.md, no dependency edge (runtime or dev) may close a cycle, and every library manifest must
 * follow the packaging rules of STYLE 7.10. The table is read from the document itself, so the two cannot drift.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Manifest {
  name: string;
  type?: string;
  sideEffects?: unknown;
  files?: unknown;
  exports?: unknown;
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A workspace package: its directory relative to the root (`packages/core`, `apps/demo`) and its manifest. */
interface WorkspacePackage {
  readonly dir: string;
  readonly manifest: Manifest;
}

const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;
const ALL_FIELDS = [...RUNTIME_FIELDS, 'devDependencies'] as const;

/** The row label the architecture table uses for a package directory: `core` for packages/core, else the path. */
function labelOf(dir: string): string {
  return dir.startsWith('packages/') ? dir.slice('packages/'.length) : dir;
}

/**
 * Reads the "may import (runtime)" column of the table in docs/architecture.md: for each row label, the labels
 * of the workspace packages it may depend on at runtime. "all libraries" means every package under packages/,
 * minus any named after "never".
 */
function allowedImports(markdown: string, packages: readonly WorkspacePackage[]): Map<string, Set<string>> {
  const labels = packages.map((pkg) => labelOf(pkg.dir));
  const libraries = packages.filter((pkg) => pkg.dir.startsWith('packages/')).map((pkg) => labelOf(pkg.dir));
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^\|\s*package\s*\|\s*may import \(runtime\)\s*\|/.test(line));
  if (start < 0) throw new Error("docs/architecture.md has no '| package | may import (runtime) |' table");
  const table = new Map<string, Set<string>>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [, packageCell, importCell] = line.split('|').map((cell) => cell.trim());
    const label = packageCell.replaceAll('`', '');
    const named = [...importCell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    const allowed = /all libraries/.test(importCell)
      ? libraries.filter((library) => library !== label && !named.includes(library))
      : named.filter((name) => labels.includes(name));
    table.set(label, new Set(allowed));
  }
  return table;
}

/** Workspace edges `from → to` (row labels) found in the given dependency fields. */
function edges(
  packages: readonly WorkspacePackage[],
  fields: readonly (keyof Manifest)[],
): { from: string; to: string; field: string }[] {
  const byName = new Map(packages.map((pkg) => [pkg.manifest.name, labelOf(pkg.dir)]));
  const out: { from: string; to: string; field: string }[] = [];
  for (const pkg of packages) {
    for (const field of fields) {
      for (const name of Object.keys((pkg.manifest[field] as Record<string, string> | undefined) ?? {})) {
        if (!name.startsWith('@lattn/')) continue;
        out.push({ from: labelOf(pkg.dir), to: byName.get(name) ?? `unknown package ${name}`, field });
      }
    }
  }
  return out;
}

function runtimeViolations(packages: readonly WorkspacePackage[], table: Map<string, Set<string>>): string[] {
  const problems = packages
    .filter((pkg) => !table.has(labelOf(pkg.dir)))
    .map((pkg) => `${pkg.manifest.name} (${pkg.dir}) has no row in the table of docs/architecture.md`);
  for (const { from, to, field } of edges(packages, RUNTIME_FIELDS)) {
    if (!table.get(from)?.has(to)) {
      problems.push(`${from} → ${to} (${field}) is not allowed by docs/architecture.md`);
    }
  }
  return problems;
}

/** The first cycle found by depth-first search, as a path `a → b → … → a`, or `undefined`. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function graphOf(packages: readonly WorkspacePackage[]): Map<string, string[]> {
  const graph = new Map(packages.map((pkg) => [labelOf(pkg.dir), [] as string[]]));
  for (const { from, to } of edges(packages, ALL_FIELDS)) graph.get(from)?.push(to);
  return graph;
}

/** Packaging rules for a library under packages/ (STYLE 7.10). */
function manifestProblems(pkg: WorkspacePackage): string[] {
  const { manifest } = pkg;
  const problems: string[] = [];
  const where = `${manifest.name} (${pkg.dir}/package.json)`;
  if (manifest.type !== 'module') problems.push(`${where}: "type" must be "module"`);
  const exportsMap = manifest.exports;
  if (typeof exportsMap !== 'object' || exportsMap === null || Object.keys(exportsMap).length === 0) {
    problems.push(`${where}: "exports" must be a map of entry points`);
  } else {
    for (const [entry, conditions] of Object.entries(exportsMap)) {
      const keys = typeof conditions === 'object' && conditions !== null ? Object.keys(conditions) : [];
      if (keys[0] !== 'types' || keys.at(-1) !== 'default') {
        problems.push(`${where}: exports["${entry}"] must list "types" first and "default" last`);
      }
    }
  }
  if (JSON.stringify(manifest.files) !== '["dist"]') problems.push(`${where}: "files" must be ["dist"]`);
  const isCli = manifest.name === '@lattn/cli';
  if (!(manifest.sideEffects === false || (isCli && manifest.sideEffects === true))) {
    problems.push(`${where}: "sideEffects" must be false${isCli ? ' or true' : ''}`);
  }
  if (manifest.publishConfig?.access !== 'public') problems.push(`${where}: publishConfig.access must be "public"`);
  for (const field of ALL_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (name.startsWith('@lattn/') && range !== 'workspace:^') {
        problems.push(`${where}: ${field}["${name}"] must be "workspace:^"; found "${range}"`);
      }
    }
  }
  return problems;
}

function readWorkspace(root: string): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, name, 'package.json');
      if (!existsSync(file)) continue;
      packages.push({ dir: `${group}/${name}`, manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest });
    }
  }
  return packages;
}

describe('the repository', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const packages = readWorkspace(root);
  const table = allowedImports(readFileSync(join(root, 'docs/architecture.md'), 'utf8'), packages);

  it('has the libraries the architecture names', () => {
    expect(packages.map((pkg) => pkg.manifest.name)).toEqual(
      expect.arrayContaining(['@lattn/core', '@lattn/feature-map', '@lattn/cli']),
    );
  });

  it('has only runtime @lattn dependencies allowed by the table in docs/architecture.md', () => {
    expect(runtimeViolations(packages, table)).toEqual([]);
  });

  it('has no dependency cycle, counting devDependencies', () => {
    expect(findCycle(graphOf(packages))).toBeUndefined();
  });

  it('has library manifests that follow the packaging rules', () => {
    expect(packages.filter((pkg) => pkg.dir.startsWith('packages/')).flatMap(manifestProblems)).toEqual([]);
  });
});

describe('the dependency checks themselves', () => {
  const manifest = (name: string, extra: Partial<Manifest> = {}): Manifest => ({
    name,
    type: 'module',
    sideEffects: false,
    files: ['dist'],
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    publishConfig: { access: 'public' },
    ...extra,
  });
  const TABLE = `
| package | may import (runtime) | owns |
|---|---|---|
| \`core\` | \`ml-matrix\` | matrices |
| \`feature-map\` | \`core\` | features |
| \`learner\` | \`core\`, \`feature-map\` | fit |
| \`certificate\` | \`core\`, \`feature-map\` | certificate |
| \`cli\` | all libraries | commands |
| \`apps/demo\` | all libraries (never \`cli\`) | UI |
`;
  const workspace = (learnerDeps: Record<string, string>, demoDeps: Record<string, string> = {}) => [
    { dir: 'packages/core', manifest: manifest('@lattn/core', { dependencies: { 'ml-matrix': '^6' } }) },
    {
      dir: 'packages/feature-map',
      manifest: manifest('@lattn/feature-map', { dependencies: { '@lattn/core': 'workspace:^' } }),
    },
    { dir: 'packages/learner', manifest: manifest('@lattn/learner', { dependencies: learnerDeps }) },
    { dir: 'packages/certificate', manifest: manifest('@lattn/certificate') },
    { dir: 'packages/cli', manifest: manifest('@lattn/cli', { dependencies: { '@lattn/learner': 'workspace:^' } }) },
    { dir: 'apps/demo', manifest: manifest('@lattn/demo', { dependencies: demoDeps }) },
  ];

  it('reads "all libraries" and "never" from the table', () => {
    const packages = workspace({});
    const table = allowedImports(TABLE, packages);
    expect([...(table.get('core') ?? [])]).toEqual([]);
    expect([...(table.get('learner') ?? [])]).toEqual(['core', 'feature-map']);
    expect([...(table.get('cli') ?? [])].sort()).toEqual(['certificate', 'core', 'feature-map', 'learner']);
    expect([...(table.get('apps/demo') ?? [])]).not.toContain('cli');
  });

  it('flags a sideways runtime edge (learner → certificate) and the demo importing the cli', () => {
    const packages = workspace({ '@lattn/certificate': 'workspace:^' }, { '@lattn/cli': 'workspace:^' });
    expect(runtimeViolations(packages, allowedImports(TABLE, packages))).toEqual([
      'learner → certificate (dependencies) is not allowed by docs/architecture.md',
      'apps/demo → cli (dependencies) is not allowed by docs/architecture.md',
    ]);
  });

  it('finds a cycle closed by a devDependency and reports its path', () => {
    const packages = workspace({ '@lattn/feature-map': 'workspace:^' });
    packages[0].manifest.devDependencies = { '@lattn/learner': 'workspace:^' };
    packages[2].manifest.dependencies = { '@lattn/core': 'workspace:^' };
    expect(findCycle(graphOf(packages))).toEqual(['core', 'learner', 'core']);
  });

  it('flags manifests that break the packaging rules', () => {
    const bad: WorkspacePackage = {
      dir: 'packages/bad',
      manifest: manifest('@lattn/bad', {
        type: 'commonjs',
        exports: { '.': { default: './dist/index.js', types: './dist/index.d.ts' } },
        files: ['dist', 'src'],
        sideEffects: true,
        publishConfig: {},
        devDependencies: { '@lattn/core': 'workspace:*' },
      }),
    };
    expect(manifestProblems(bad)).toHaveLength(6);
  });
});
