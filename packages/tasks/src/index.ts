/**
 * `@lattn/tasks`: seeded task generators with exact MHLA constructions — random MHLA teachers, associative memory,
 * finite automata and Turing-machine computation histories — with their decoders and exact-match metrics.
 *
 * @packageDocumentation
 */

export type { Automaton } from './automata/automaton.js';
export { executeAutomaton } from './automata/automaton.js';
export type {
  AutomatonEncoding,
  AutomatonInstance,
  AutomatonRun,
  AutomatonRunOptions,
  AutomatonTask,
  AutomatonTaskOptions,
  ResolvedAutomatonTaskOptions,
} from './automata/automaton-task.js';
export {
  decodeAutomatonStates,
  exactMatchAutomaton,
  generateAutomatonTask,
  runAutomatonWithModel,
} from './automata/automaton-task.js';
export type { ExactMatchScore } from './exact-match.js';
