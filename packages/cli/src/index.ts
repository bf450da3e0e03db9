/**
 * `@lattn/cli`: the `lattn` command as a library entry, so tests and embedders can run it in-process.
 *
 * @packageDocumentation
 */

export type { CliIo } from './main.js';
export { main } from './main.js';
