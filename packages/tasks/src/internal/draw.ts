/**
 * Random draws shared by the task generators, all from the generator's seeded `Rng`.
 */
import type { Rng } from '@lattn/core';

/** A word of `length` symbols, each uniform in `0 … numSymbols − 1`. */
export function randomWord(rng: Rng, length: number, numSymbols: number): number[] {
  return Array.from({ length }, () => rng.integer(0, numSymbols));
}

/** The indices `0 … count − 1` in uniformly random order. */
export function randomOrder(rng: Rng, count: number): number[] {
  return rng.shuffle(Array.from({ length: count }, (_, i) => i));
}
