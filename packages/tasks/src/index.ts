/**
 * `@lattn/tasks`.
 *
 * @packageDocumentation
 */
export {};
