import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { capturedIo } from './__fixtures__/captured-io.js';
import { main } from './main.js';

describe('main', () => {
  it('prints the command list for --help, exit code 0', async () => {
    const { io, stdout, stderr } = capturedIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(stdout()).toMatch(/^lattn — learn multi-head linear attention/);
    expect(stdout()).toContain('Usage: lattn <command> [options]');
    expect(stderr()).toBe('');
  });

  it('rejects an unknown command in one line, exit code 2', async () => {
    const { io, stdout, stderr } = capturedIo();
    expect(await main(['frobnicate', '--x'], io)).toBe(2);
    expect(stderr()).toBe("lattn: unknown command 'frobnicate'. Run 'lattn --help' for the list of commands.\n");
    expect(stdout()).toBe('');
  });

  it('answers --help for every registered command with its usage and examples, exit code 0', async () => {
    const { io, stdout } = capturedIo();
    await main(['--help'], io);
    const names = [...stdout().matchAll(/^ {2}(\S+) {2,}/gm)].map((match) => match[1]);
    for (const name of names) {
      const help = capturedIo();
      expect(await main([name, '--help'], help.io), name).toBe(0);
      expect(help.stdout(), name).toContain(`lattn ${name}`);
    }
  });
});

// The smoke test runs the built binary, so `dist/` must be current. The package's turbo.json makes its `test` task
// depend on its own `build` (besides `^build`): turbo then builds or restores `dist/` from cache before testing, and
// because `build` is a declared dependency its hash is part of the test's hash, so caching stays correct. Building
// inside the test instead would write `dist/` as an undeclared side effect of `test`. When running vitest directly,
// build first: `pnpm turbo run build --filter=@lattn/cli`.
describe('the lattn binary', () => {
  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
  const run = promisify(execFile);

  it('prints its help and exits with code 0 (node dist/bin.js --help)', async () => {
    expect(existsSync(bin), `${bin} is missing: run 'pnpm turbo run build --filter=@lattn/cli' first`).toBe(true);
    const { stdout, stderr } = await run(process.execPath, [bin, '--help']);
    expect(stdout).toContain('Usage: lattn <command> [options]');
    expect(stderr).toBe('');
  });

  it.skipIf(process.platform !== 'linux')(
    'restarts itself on Linux with glibc asked for huge pages, unless GLIBC_TUNABLES already decides',
    async () => {
      const bench = [bin, 'bench', '--only', 'gemm', '--sizes', '8', '--repeats', '1', '--no-numpy', '--json'];
      const hugePages = async (tunables: string | undefined): Promise<unknown> => {
        const { GLIBC_TUNABLES: _, ...rest } = process.env;
        const env = tunables === undefined ? rest : { ...rest, GLIBC_TUNABLES: tunables };
        const { stdout } = await run(process.execPath, bench, { env });
        return JSON.parse(stdout).environment.hugePages;
      };
      expect(await hugePages(undefined)).toBe(true);
      expect(await hugePages('glibc.malloc.arena_max=4')).toBe(true);
      expect(await hugePages('glibc.malloc.hugetlb=0')).toBe(false);
    },
    30_000,
  );

  it('exits with code 2 and one line on stderr for an unknown command', async () => {
    const error = await run(process.execPath, [bin, 'frobnicate']).catch((reason: unknown) => reason);
    expect(error).toMatchObject({
      code: 2,
      stdout: '',
      stderr: "lattn: unknown command 'frobnicate'. Run 'lattn --help' for the list of commands.\n",
    });
  });
});
