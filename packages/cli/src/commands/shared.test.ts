import { isLattnError } from '@lattn/core';
import { describe, expect, it } from 'vitest';
import { checkFeatureMemory } from './shared.js';

describe('checkFeatureMemory', () => {
  it('throws TOO_LARGE before any data are read when three (D, D) moments exceed the memory, stating both sizes', () => {
    const error = (() => {
      try {
        checkFeatureMemory('fit', 40, 16 * 2 ** 30);
      } catch (reason) {
        return reason;
      }
    })();
    expect(isLattnError(error) && error.code).toBe('TOO_LARGE');
    expect((error as Error).message).toBe(
      "fit on tokens of dimension d = 40 works on (32800, 32800) feature moments (D = d·d(d+1)/2) and needs at least 24.0469 GiB for three of them, more than this machine's 16 GiB of memory. Expected d small enough for 3·D²·8 bytes to fit in memory; received d = 40.",
    );
  });

  it('accepts dimensions whose moments fit: d = 20 (D = 4200, 0.39 GiB) on a 1 GiB machine', () => {
    expect(() => checkFeatureMemory('certify', 20, 2 ** 30)).not.toThrow();
    expect(() => checkFeatureMemory('certify', 21, 2 ** 29)).toThrow(/d = 21/);
  });
});
