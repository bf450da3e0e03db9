import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLineUserError, runCli } from '../__fixtures__/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-reproduce-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of a results document without its measurements: fields named `seconds…` and the sentences quoting them. */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('seconds') && key !== 'statement')
      .map(([key, item]) => [key, withoutTimings(item)]),
  );
}

describe('lattn reproduce', () => {
  it('writes a self-contained report.html with every section and a results.json holding all the numbers (--preset tiny)', async () => {
    const out = join(dir, 'first');
    const result = await runCli(['reproduce', '--preset', 'tiny', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^lattn reproduce: preset 'tiny' in [\d.]+ s$/m);
    for (const title of [
      '(a) Random MHLA teachers',
      '(b) Associative memory',
      '(c) Finite automata',
      '(d) Turing-machine histories',
    ]) {
      expect(result.stdout).toContain(title);
    }
    for (const stage of [
      '(a) random MHLA teachers',
      '(b) associative memory',
      '(c) finite automata',
      '(d) Turing machines',
    ]) {
      expect(result.stderr).toContain(`${stage} 100%`);
    }

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of ['summary', 'random-mhla', 'associative-memory', 'automata', 'turing'])
      expect(html).toContain(`id="${id}"`);
    expect(html.match(/<svg /g)?.length).toBe(8);
    expect(html.match(/<svg /g)?.length).toBe(html.match(/<\/svg>/g)?.length);
    // Self-contained: no scripts, no loaded resources, no links leaving the page.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=/i);
    expect(html.match(/href="([^"]*)"/g)?.every((link) => link.startsWith('href="#'))).toBe(true);

    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ format: 'lattn.reproduce', version: 1, preset: 'tiny' });
    expect(Object.keys(results.experiments)).toEqual(['randomMhla', 'associativeMemory', 'automata', 'turing']);
    expect(results.summary.map((section: { id: string }) => section.id)).toEqual([
      'random-mhla',
      'associative-memory',
      'automata',
      'turing',
    ]);
    const { randomMhla, associativeMemory, automata, turing } = results.experiments;
    expect(randomMhla.exact.equivalentToTeacher).toBe(true);
    expect(randomMhla.baseline).toHaveLength(2);
    expect(randomMhla.baseline[0].curve).toHaveLength(4); // epochs 0 … 3
    expect(associativeMemory.points.map((point: { mixingFraction: number }) => point.mixingFraction)).toEqual([1, 0]);
    expect(associativeMemory.points[0].identifiableOnReference).toBe(false);
    expect(automata.outcomes).toHaveLength(1);
    expect(turing.outcomes).toHaveLength(1);
    for (const section of results.summary) expect(html).toContain(section.title);
  }, 60_000);

  it('gives the same numbers on a second run: only the timings differ', async () => {
    const out = join(dir, 'second');
    const result = await runCli(['reproduce', '--preset', 'tiny', '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ preset: 'tiny', report: join(out, 'report.html') });
    const first = JSON.parse(await readFile(join(dir, 'first', 'results.json'), 'utf8'));
    const second = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(withoutTimings(second)).toEqual(withoutTimings(first));
  }, 60_000);

  it('documents the presets, including the tiny smoke test, in --help', async () => {
    const result = await runCli(['reproduce', '--help']);
    expect(result.stdout).toContain('--preset <tiny|quick|full>');
    expect(result.stdout).toContain('--quick');
    expect(result.stdout).toContain('lattn reproduce --quick');
  });

  it.each([
    [['--quick', '--preset', 'full'], '--quick contradicts --preset full; give one of them.'],
    [['--preset', 'huge'], '--preset must be one of tiny, quick, full'],
    [['--quick', '--out='], '--out must be a non-empty path'],
  ])('rejects %j in one line with exit code 2', async (args, message) => {
    const result = await runCli(['reproduce', ...args]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain(message);
  });

  it('rejects an --out that is a file before running anything', async () => {
    const file = join(dir, 'not-a-directory');
    await writeFile(file, '');
    const result = await runCli(['reproduce', '--preset', 'tiny', '--out', file]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain('exists and is not a directory');
  });
});
