/** The streams the CLI talks to; tests pass captured ones. */
export interface CliIo {
  /** Where results and summaries go. */
  readonly stdout: OutputStream;
  /** Where progress, warnings and errors go. */
  readonly stderr: OutputStream;
}

/** The part of a writable stream the CLI uses; `isTTY` selects live progress bars over plain lines. */
export interface OutputStream {
  /** Writes text. */
  write(chunk: string): unknown;
  /** Whether the stream is an interactive terminal. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters, when it is one; progress bars are cut to fit. */
  readonly columns?: number;
}
