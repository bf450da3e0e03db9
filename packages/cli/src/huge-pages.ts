/**
 * Transparent huge pages for the `lattn` process. A fresh `(2048, 2048)` float64 result is 32 MiB; on Linux its first
 * writes fault in one 4 KiB page at a time unless the allocation asked for huge pages — measured here: 33 ms to fill
 * a fresh 32 MiB array, 9 ms with huge pages, and the fault part alone is a twentieth of `gram`'s time at that size.
 * numpy asks for them itself (`madvise(MADV_HUGEPAGE)` on large arrays); Node cannot call `madvise`, but glibc's
 * malloc does it for its large blocks — where V8 allocates array buffers — when `GLIBC_TUNABLES` sets
 * `glibc.malloc.hugetlb=1` (glibc 2.35 and later; older glibc and other C libraries ignore the variable). The
 * variable is read once, at process start, so the `lattn` binary restarts itself with it (ADR 0007).
 */

/** The glibc tunable that makes malloc advise huge pages for the blocks it maps. */
export const HUGE_PAGE_TUNABLE = 'glibc.malloc.hugetlb';

/** The values `GLIBC_TUNABLES` gives `glibc.malloc.hugetlb`, in order (glibc takes the last). */
function hugePageSettings(environment: Readonly<Record<string, string | undefined>>): string[] {
  const prefix = `${HUGE_PAGE_TUNABLE}=`;
  return (environment.GLIBC_TUNABLES ?? '')
    .split(':')
    .filter((entry) => entry.startsWith(prefix))
    .map((entry) => entry.slice(prefix.length));
}

/**
 * The environment to restart the process with so that glibc's malloc asks for transparent huge pages, or `undefined`
 * when there is nothing to do: not Linux, or `GLIBC_TUNABLES` already sets `glibc.malloc.hugetlb` (to any value:
 * `glibc.malloc.hugetlb=0` is how to opt out).
 *
 * @param platform - `process.platform`.
 * @param environment - `process.env`; not modified.
 */
export function hugePageEnvironment(
  platform: string,
  environment: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> | undefined {
  if (platform !== 'linux' || hugePageSettings(environment).length > 0) return undefined;
  const tunables = environment.GLIBC_TUNABLES;
  const setting = `${HUGE_PAGE_TUNABLE}=1`;
  return { ...environment, GLIBC_TUNABLES: tunables ? `${tunables}:${setting}` : setting };
}

/**
 * Whether this process asked glibc's malloc for huge pages (`glibc.malloc.hugetlb` set to 1 or 2 in
 * `GLIBC_TUNABLES`, where the last setting counts).
 *
 * @param environment - `process.env`.
 */
export function hugePagesRequested(environment: Readonly<Record<string, string | undefined>>): boolean {
  const last = hugePageSettings(environment).at(-1);
  return last === '1' || last === '2';
}
