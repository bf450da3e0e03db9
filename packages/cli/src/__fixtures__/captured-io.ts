/** Captured output streams for the CLI tests. */
import type { CliIo } from '../io.js';

/** Streams that record every chunk written, and the text so far. */
export interface CapturedIo {
  readonly io: CliIo;
  /** The chunks written to stdout, in order. */
  readonly out: string[];
  /** The chunks written to stderr, in order. */
  readonly err: string[];
  /** Everything written to stdout. */
  readonly stdout: () => string;
  /** Everything written to stderr. */
  readonly stderr: () => string;
}

/** Captured stdout and stderr; both are plain pipes unless `terminal` says they are terminals (of `columns` width). */
export function capturedIo(
  terminal: { readonly isTTY: boolean; readonly columns?: number } = { isTTY: false },
): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (chunk: string) => out.push(chunk), ...terminal },
      stderr: { write: (chunk: string) => err.push(chunk), ...terminal },
    },
    out,
    err,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
