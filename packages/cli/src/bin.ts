#!/usr/bin/env node
/**
 * The `lattn` executable. Before anything loads `@lattn/core`, it lets V8 compile relaxed SIMD (Node 20 validates it
 * only behind `--experimental-wasm-relaxed-simd`; Node 22 enables it by default), so that core picks its fused
 * multiply–add kernels: about 1.2× (one thread) to 1.5× (two) the Gram throughput of plain SIMD here (ADR 0007).
 * The modules that instantiate the kernels are therefore imported dynamically, after the flag.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--experimental-wasm-relaxed-simd');
const { main } = await import('./main.js');

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
