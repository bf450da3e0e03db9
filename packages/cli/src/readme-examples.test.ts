/**
 * The README examples are code, so they are tested as code: every ```ts block of the root README and of each
 * package README that imports a `@lattn/*` package runs against the built packages, and every line of the form
 * `expression; // value` whose comment starts with a literal (a number, a boolean, a quoted string, an array, or
 * `Float64Array [...]`) must evaluate to that value. The blocks of one README form one module (imports merged
 * and hoisted, bodies in order), so a later block may continue an earlier one.
 *
 * Printed numbers are rounded, so a number matches when it agrees to the digits shown (relative tolerance
 * `10^(1 − significant digits)`, never tighter than 1e-9); values below 1e-9 in magnitude are rounding noise
 * (residuals, distances) and match any value below 1e-9.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(packageDir, '..', '..');
/** Inside the cli package (git-ignored), so the examples resolve `@lattn/*` through its dependencies as a user's code would. */
const scratch = join(packageDir, '.readme-examples');

function readmes(): string[] {
  const files = [join(root, 'README.md')];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, name, 'README.md');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

function typescriptBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (current === undefined) {
      if (line.trim() === '```ts') current = [];
    } else if (line.trim() === '```') {
      blocks.push(current.join('\n'));
      current = undefined;
    } else {
      current.push(line);
    }
  }
  return blocks.filter((block) => /from '@lattn\//.test(block));
}

/** Merges the import declarations of all blocks (one per module, names deduplicated) and concatenates the rest. */
function toModule(blocks: readonly string[]): { source: string; checks: number } {
  const imports = new Map<string, Set<string>>();
  const bodies: string[] = [];
  let checks = 0;
  for (const block of blocks) {
    const withoutImports = block.replace(
      /^import\s*(type\s*)?\{([^}]*)\}\s*from\s*'([^']+)';\s*$/gm,
      (_, type, names, from) => {
        if (type === undefined) {
          const set = imports.get(from) ?? new Set<string>();
          for (const name of (names as string).split(','))
            if (name.trim() !== '' && !name.trim().startsWith('type ')) set.add(name.trim());
          imports.set(from, set);
        }
        return '';
      },
    );
    const body = withoutImports
      .split('\n')
      .map((line, index) => {
        const check = checkedLine(line);
        if (check === undefined) return line;
        checks++;
        return `${check.indent}__check(${check.expression}, ${JSON.stringify(check.expected)}, ${JSON.stringify(`line ${index + 1}: ${line.trim()}`)});`;
      })
      .join('\n');
    bodies.push(body);
  }
  const header = [...imports].map(([from, names]) => `import { ${[...names].join(', ')} } from '${from}';`);
  return { source: [...header, CHECK, ...bodies].join('\n'), checks };
}

const STATEMENT_KEYWORDS = /^(const|let|var|import|export|return|if|for|while|await\s+main|throw)\b/;

function checkedLine(line: string): { indent: string; expression: string; expected: unknown } | undefined {
  const match = /^(\s*)(.+?);\s*\/\/\s*(.+)$/.exec(line);
  if (match === null) return undefined;
  const [, indent, expression, comment] = match;
  if (STATEMENT_KEYWORDS.test(expression.trim()) || /^[\w.[\]]+\s*=[^=]/.test(expression.trim())) return undefined;
  const expected = leadingLiteral(comment);
  return expected === undefined ? undefined : { indent, expression, expected: expected.value };
}

/** The longest prefix of a comment that parses as a literal, with single-quoted strings read as JSON strings. */
function leadingLiteral(comment: string): { value: unknown } | undefined {
  const text = comment
    .replace(/^Float64Array\s+/, '')
    .replace(/'([^'\\]*)'/g, (_, inner: string) => JSON.stringify(inner));
  if (!/^[-\d[\]"tfn]/.test(text)) return undefined;
  for (let end = text.length; end > 0; end--) {
    const prefix = text.slice(0, end);
    if (/[\d.eE+-]$/.test(prefix) && /^[\d.eE+-]/.test(text.slice(end))) continue;
    try {
      return { value: JSON.parse(prefix) };
    } catch {
      // not a literal up to here: try a shorter prefix
    }
  }
  return undefined;
}

/** Runtime comparison injected into each example module. */
const CHECK = `
function __close(actual, expected) {
  if (ArrayBuffer.isView(actual)) actual = Array.from(actual);
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    if (Math.abs(expected) < 1e-9) return Math.abs(actual) < 1e-9;
    const digits = expected.toExponential().split('e')[0].replace(/[-.]/g, '').replace(/^0+/, '').length;
    const rtol = Math.max(10 ** (1 - digits), 1e-9);
    return Math.abs(actual - expected) <= rtol * Math.abs(expected);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => __close(actual[i], e));
  }
  return actual === expected;
}
function __check(actual, expected, where) {
  if (!__close(actual, expected)) {
    const shown = ArrayBuffer.isView(actual) ? Array.from(actual) : actual;
    throw new Error(where + ' — README says ' + JSON.stringify(expected) + ', the code gives ' + JSON.stringify(shown));
  }
}
`;

describe('README examples', () => {
  const files = readmes().filter((file) => typescriptBlocks(readFileSync(file, 'utf8')).length > 0);

  it('finds the examples of the root README and the package READMEs', () => {
    expect(files.map((file) => file.slice(root.length + 1))).toEqual(
      expect.arrayContaining(['README.md', 'packages/core/README.md', 'packages/learner/README.md']),
    );
  });

  for (const file of files) {
    const name = file.slice(root.length + 1);
    it(`${name}: runs, and every 'expression; // value' line gives the value shown`, () => {
      const { source, checks } = toModule(typescriptBlocks(readFileSync(file, 'utf8')));
      const javascript = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      mkdirSync(scratch, { recursive: true });
      const script = join(scratch, `${name.replaceAll('/', '_')}.mjs`);
      writeFileSync(script, javascript);
      const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, `${name} (${checks} checked values) failed:\n${run.stderr}`).toBe(0);
    });
  }
});
