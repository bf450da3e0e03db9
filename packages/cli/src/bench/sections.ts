/**
 * Every section of `lattn bench`, in the order they run and print. Adding a benchmark is one more module under
 * `bench/` exporting a `BenchSection`, listed here.
 */
import { decompositionsSection } from './decompositions.js';
import { fitSection } from './fit.js';
import { kernelsSection } from './kernels.js';
import type { BenchSection } from './types.js';

/** The sections `lattn bench` runs. */
export const BENCH_SECTIONS: readonly BenchSection[] = [kernelsSection, decompositionsSection, fitSection];
