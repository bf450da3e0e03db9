/**
 * `@lattn/cli`: the `lattn` command as a library entry, so tests and embedders can run it in-process.
 *
 * @packageDocumentation
 */

export type { CliIo, OutputStream } from './io.js';
export { main } from './main.js';
