/**
 * `@lattn/learner`.
 *
 * @packageDocumentation
 */
export {};
