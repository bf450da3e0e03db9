/**
 * `@lattn/feature-map`.
 *
 * @packageDocumentation
 */
export {};
