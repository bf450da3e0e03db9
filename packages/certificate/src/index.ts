/**
 * `@lattn/certificate`.
 *
 * @packageDocumentation
 */
export {};
