/**
 * The embedded settings of `lattn reproduce`: `full` follows the paper's experiments at sizes that finish in well
 * under 20 minutes on a 2-core machine, `quick` shrinks them to under 2 minutes, and `tiny` is a smoke test of the
 * whole pipeline (seconds; its numbers mean nothing).
 */
import type { AssociativeMemoryConfig } from './associative-memory.js';
import type { AutomataConfig } from './automata.js';
import type { RandomMhlaConfig } from './random-mhla.js';
import type { TuringConfig } from './turing.js';

/** The names of the embedded presets. */
export type ReproducePreset = 'tiny' | 'quick' | 'full';

/** The preset names, for option parsing. */
export const REPRODUCE_PRESETS: readonly ReproducePreset[] = ['tiny', 'quick', 'full'];

/** The settings of every experiment. */
export interface ReproduceConfig {
  /** (a) random MHLA teachers. */
  readonly randomMhla: RandomMhlaConfig;
  /** (b) associative memory. */
  readonly associativeMemory: AssociativeMemoryConfig;
  /** (c) finite automata. */
  readonly automata: AutomataConfig;
  /** (d) Turing-machine histories. */
  readonly turing: TuringConfig;
}

const RANDOM_MHLA: RandomMhlaConfig = {
  modelDim: 4,
  outputDim: 2,
  teacherHeads: 2,
  sequenceLength: 8,
  inputDistribution: 'gaussian',
  trainSequences: 128,
  testSequences: 100,
  baselineHeads: [1, 2, 4, 8, 16],
  epochs: 100,
  learningRate: 0.01,
  batchSize: 32,
  seeds: [1],
  teacherSeed: 7,
  trainSeed: 1,
  testSeed: 2,
  reachedRelativeError: 1e-10,
};

const ASSOCIATIVE_MEMORY: AssociativeMemoryConfig = {
  keyDim: 2,
  numPairs: 2,
  trainSequences: 200,
  referenceSequences: 300,
  fractions: [1, 0.9, 0.75, 0.5, 0],
  baselineHeads: 8,
  epochs: 50,
  learningRate: 0.01,
  batchSize: 20,
  seeds: [1, 2, 3],
  trainSeed: 1,
  referenceSeed: 99,
};

const AUTOMATA: AutomataConfig = {
  base: { numStates: 2, numSymbols: 2, wordLength: 8 },
  states: [2, 3],
  symbols: [2, 3],
  wordLengths: [4, 8, 16],
  testSequences: 200,
  maxSequences: 512,
  longWordFactor: 5,
  trainSeed: 1,
  testSeed: 2,
};

const TURING: TuringConfig = {
  settings: [
    { numStates: 1, wordLength: 1, numSteps: 1 },
    { numStates: 2, wordLength: 1, numSteps: 1 },
  ],
  testSequences: 100,
  maxSequences: 512,
  trainSeed: 1,
  testSeed: 2,
};

/** The embedded presets. */
export const PRESETS: Readonly<Record<ReproducePreset, ReproduceConfig>> = {
  tiny: {
    randomMhla: {
      ...RANDOM_MHLA,
      modelDim: 2,
      outputDim: 1,
      teacherHeads: 1,
      sequenceLength: 4,
      trainSequences: 12,
      testSequences: 6,
      baselineHeads: [1, 4],
      epochs: 3,
      batchSize: 4,
    },
    associativeMemory: {
      ...ASSOCIATIVE_MEMORY,
      trainSequences: 30,
      referenceSequences: 20,
      fractions: [1, 0],
      baselineHeads: 2,
      epochs: 2,
      batchSize: 10,
      seeds: [1],
    },
    automata: {
      ...AUTOMATA,
      base: { numStates: 2, numSymbols: 2, wordLength: 2 },
      states: [2],
      symbols: [2],
      wordLengths: [2],
      testSequences: 10,
      maxSequences: 16,
      longWordFactor: 2,
    },
    turing: { ...TURING, settings: [TURING.settings[0]], testSequences: 10, maxSequences: 8 },
  },
  quick: {
    randomMhla: RANDOM_MHLA,
    associativeMemory: ASSOCIATIVE_MEMORY,
    automata: AUTOMATA,
    turing: TURING,
  },
  full: {
    randomMhla: { ...RANDOM_MHLA, trainSequences: 256, testSequences: 200, epochs: 250, seeds: [1, 2] },
    associativeMemory: {
      ...ASSOCIATIVE_MEMORY,
      fractions: [1, 0.95, 0.9, 0.8, 0.75, 0.6, 0.5, 0.25, 0],
      epochs: 100,
      seeds: [1, 2, 3, 4, 5],
    },
    automata: { ...AUTOMATA, states: [2, 3, 4], symbols: [2, 3, 4], wordLengths: [4, 8, 16, 32] },
    turing: {
      ...TURING,
      settings: [
        ...TURING.settings,
        { numStates: 1, wordLength: 2, numSteps: 1 },
        { numStates: 1, wordLength: 1, numSteps: 2 },
        { numStates: 2, wordLength: 2, numSteps: 1 },
      ],
      testSequences: 200,
    },
  },
};
