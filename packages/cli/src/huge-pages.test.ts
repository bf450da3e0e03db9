import { describe, expect, it } from 'vitest';
import { HUGE_PAGE_TUNABLE, hugePageEnvironment, hugePagesRequested } from './huge-pages.js';

describe('hugePageEnvironment', () => {
  it('adds glibc.malloc.hugetlb=1 on Linux and keeps every other variable', () => {
    const environment = { PATH: '/bin', HOME: '/root' };
    expect(hugePageEnvironment('linux', environment)).toEqual({
      ...environment,
      GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
    });
    expect(environment).toEqual({ PATH: '/bin', HOME: '/root' });
  });

  it('appends to tunables already set, with glibc’s colon separator', () => {
    expect(hugePageEnvironment('linux', { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual({
      GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    });
  });

  it.each([
    ['linux', 'glibc.malloc.hugetlb=0'],
    ['linux', 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1'],
    ['darwin', undefined],
    ['win32', undefined],
  ])(
    'asks for no restart on %s with GLIBC_TUNABLES=%s (already set, or an opt-out, or not Linux)',
    (platform, tunables) => {
      expect(hugePageEnvironment(platform, { GLIBC_TUNABLES: tunables })).toBeUndefined();
    },
  );

  it('does not mistake another tunable that starts with the same name for it', () => {
    expect(hugePageEnvironment('linux', { GLIBC_TUNABLES: `${HUGE_PAGE_TUNABLE}x=1` })?.GLIBC_TUNABLES).toBe(
      `${HUGE_PAGE_TUNABLE}x=1:${HUGE_PAGE_TUNABLE}=1`,
    );
  });
});

describe('hugePagesRequested', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['glibc.malloc.hugetlb=1', true],
    ['glibc.malloc.hugetlb=2', true],
    ['glibc.malloc.hugetlb=0', false],
    ['glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0', false],
    ['glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1', true],
  ])('reads GLIBC_TUNABLES=%s as %s', (tunables, expected) => {
    expect(hugePagesRequested({ GLIBC_TUNABLES: tunables })).toBe(expected);
  });
});
