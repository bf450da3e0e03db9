/**
 * `@lattn/tasks`: seeded task generators with exact MHLA constructions — random MHLA teachers, associative memory,
 * finite automata and Turing-machine computation histories — with their decoders and exact-match metrics.
 *
 * @packageDocumentation
 */

export type {
  AssociativeMemoryInstance,
  AssociativeMemoryTask,
  AssociativeMemoryTaskOptions,
  KeyDistribution,
  ResolvedAssociativeMemoryTaskOptions,
} from './associative-memory/associative-memory-task.js';
export {
  decodeAssociativeMemory,
  exactMatchAssociativeMemory,
  generateAssociativeMemoryTask,
  KEY_DISTRIBUTIONS,
} from './associative-memory/associative-memory-task.js';
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
export type {
  InputDistribution,
  RandomMhlaMatch,
  RandomMhlaMatchOptions,
  RandomMhlaTask,
  RandomMhlaTaskOptions,
  ResolvedRandomMhlaTaskOptions,
} from './random-mhla/random-mhla-task.js';
export { exactMatchRandomMhla, generateRandomMhlaTask, INPUT_DISTRIBUTIONS } from './random-mhla/random-mhla-task.js';
export type {
  TuringConfiguration,
  TuringExecutionOptions,
  TuringMachine,
  TuringTransition,
} from './turing/turing-machine.js';
export { executeTuringMachine } from './turing/turing-machine.js';
export type {
  ResolvedTuringTaskOptions,
  TuringEncoding,
  TuringInstance,
  TuringRun,
  TuringRunOptions,
  TuringTask,
  TuringTaskOptions,
  TuringToken,
} from './turing/turing-task.js';
export { decodeTuringTokens, exactMatchTuring, generateTuringTask, runTuringWithModel } from './turing/turing-task.js';
