/** Runs `main` in-process with captured streams, for the command tests. */
import { main } from '../main.js';
import { capturedIo } from './captured-io.js';

/** What one in-process run of `lattn` produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `lattn <argv>` in-process; stdout and stderr are captured (neither is a terminal). */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  const { io, stdout, stderr } = capturedIo();
  const code = await main(argv, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** Asserts the shape of a user error: exit code 2, nothing on stdout, exactly one line on stderr. */
export function isOneLineUserError(result: CliRun): boolean {
  return (
    result.code === 2 &&
    result.stdout === '' &&
    result.stderr.endsWith('\n') &&
    !result.stderr.slice(0, -1).includes('\n')
  );
}
