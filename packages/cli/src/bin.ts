#!/usr/bin/env node
/**
 * The `lattn` executable. On Linux it first restarts itself with glibc's malloc asking for transparent huge pages
 * (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, read only at process start; see `huge-pages.ts`), so that large results
 * do not fault in 4 KiB at a time. Then, before anything loads `@lattn/core`, it lets V8 compile relaxed SIMD (Node 20
 * validates it only behind `--experimental-wasm-relaxed-simd`; Node 22 enables it by default), so that core picks its
 * fused multiply–add kernels: about 1.2× (one thread) to 1.5× (two) the Gram throughput of plain SIMD here (ADR 0007).
 * The modules that instantiate the kernels are therefore imported dynamically, after the flag.
 */
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { hugePageEnvironment } from './huge-pages.js';

async function runHere(): Promise<void> {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}

const environment = hugePageEnvironment(process.platform, process.env);
const child =
  environment === undefined
    ? undefined
    : spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        stdio: 'inherit',
        env: environment,
      });
if (child === undefined || child.error !== undefined) {
  await runHere();
} else if (child.signal !== null) {
  process.kill(process.pid, child.signal);
} else {
  process.exitCode = child.status ?? 1;
}
