/**
 * `lattn generate <task>`: writes a seeded task dataset as `X.npy` and `Y.npy` plus a `task.json` that records the
 * task kind, the options actually used, the symbolic instances needed to decode and score (automaton tables,
 * machines, words, histories) and the task's exact construction in the learner's `lattn.mhla` format.
 */
import { join } from 'node:path';
import { type Dataset, LattnError } from '@lattn/core';
import type { MhlaModel } from '@lattn/feature-map';
import { serializeModel } from '@lattn/learner';
import {
  generateAssociativeMemoryTask,
  generateAutomatonTask,
  generateRandomMhlaTask,
  generateTuringTask,
  INPUT_DISTRIBUTIONS,
  KEY_DISTRIBUTIONS,
} from '@lattn/tasks';
import type { OptionSpecs, ParsedOptions } from '../args.js';
import { type Command, defineCommand } from '../command.js';
import { targetsToArray } from '../dataset-files.js';
import { ensureDirectory, writeFilesAtomic } from '../files.js';
import type { CliIo } from '../io.js';
import { jsonFile } from '../json.js';
import { npyFile } from '../npy.js';
import { formatTable, writeResult } from '../output.js';
import { sequencesToArray } from '../sequences.js';
import { type DataDescription, describeData, JSON_OPTION, modeOption } from './shared.js';

/** The task names `lattn generate` accepts. */
export const GENERATE_TASKS: readonly string[] = ['random-mhla', 'associative-memory', 'automata', 'turing'];

/** The `format` tag of a `task.json` file. */
export const TASK_FORMAT = 'lattn.task';

/** What a task generator returns, as far as `generate` needs it. */
interface GeneratedTask {
  readonly kind: string;
  readonly dataset: Dataset;
  readonly construction: MhlaModel;
  readonly options: object;
  readonly instances?: readonly unknown[];
  readonly encoding?: object;
}

/** What `lattn generate --json` prints. */
interface GenerateSummary extends DataDescription {
  readonly task: string;
  readonly kind: string;
  readonly inputs: string;
  readonly targets: string;
  readonly taskFile: string;
  readonly outputDim: number;
  readonly inputShape: readonly number[];
  readonly targetShape: readonly number[];
  readonly constructionHeads: number;
  readonly options: object;
}

/** `--num-sequences` with the generators' maximum, 10⁶; `each` says what every sequence holds its own of. */
function numSequencesOption(fallback: number, each?: string) {
  const description = each === undefined ? 'number of sequences B' : `number of sequences B, ${each}`;
  return { kind: 'integer', min: 1, max: 1_000_000, default: fallback, description } as const;
}

const COMMON = {
  seed: { kind: 'integer', default: 0, description: 'seed of the generator' },
  out: { kind: 'path', required: true, placeholder: 'DIR', description: 'directory for X.npy, Y.npy and task.json' },
  json: JSON_OPTION,
} as const;

function taskCommand<T extends OptionSpecs>(
  task: string,
  summary: string,
  options: T,
  examples: readonly [string, ...string[]],
  generate: (options: ParsedOptions<T & typeof COMMON>) => GeneratedTask,
): Command {
  return defineCommand({
    name: `generate ${task}`,
    summary,
    options: { ...options, ...COMMON },
    examples,
    run: async ({ options: parsed }, io) =>
      writeTask(task, generate(parsed), parsed as ParsedOptions<typeof COMMON>, io),
  });
}

const TASK_COMMANDS: readonly Command[] = [
  taskCommand(
    'random-mhla',
    'a random H-head teacher labels random sequences; the teacher is the construction',
    {
      numSequences: numSequencesOption(16),
      sequenceLength: { kind: 'integer', min: 1, max: 1_000_000, default: 8, description: 'tokens per sequence n' },
      modelDim: { kind: 'integer', min: 1, default: 4, description: 'token dimension d' },
      outputDim: { kind: 'integer', min: 1, max: 4096, default: 2, description: 'output dimension dOut' },
      numHeads: { kind: 'integer', min: 1, max: 1024, default: 2, description: "the teacher's heads H" },
      inputDistribution: {
        kind: 'enum',
        values: INPUT_DISTRIBUTIONS,
        default: 'gaussian',
        description: 'tokens: i.i.d. N(0, 1) entries, uniform on the unit sphere, or a random basis vector',
      },
      mode: modeOption('targets at every position, (B, n, dOut), or at the last, (B, dOut)'),
      teacherSeed: {
        kind: 'integer',
        description: "seed of the teacher's weights (default: --seed); keep it and change --seed for fresh inputs",
      },
    },
    [
      'lattn generate random-mhla --num-sequences 1000 --seed 1 --teacher-seed 7 --out train',
      'lattn generate random-mhla --num-sequences 200 --seed 2 --teacher-seed 7 --out test',
      'lattn generate random-mhla --model-dim 3 --num-heads 1 --mode last --out data --json',
    ],
    (options) =>
      generateRandomMhlaTask({
        numSequences: options.numSequences,
        modelDim: options.modelDim,
        outputDim: options.outputDim,
        numHeads: options.numHeads,
        inputDistribution: options.inputDistribution,
        minSequenceLength: options.sequenceLength,
        maxSequenceLength: options.sequenceLength,
        mode: options.mode,
        seed: options.seed,
        teacherSeed: options.teacherSeed ?? options.seed,
      }),
  ),
  taskCommand(
    'associative-memory',
    'key–value pairs in the context, a query at the end, its value as the target (mode last)',
    {
      numSequences: numSequencesOption(64),
      keyDim: { kind: 'integer', min: 1, default: 4, description: 'dimension of keys and values (tokens: 2 · keyDim)' },
      numPairs: { kind: 'integer', min: 1, max: 1_000_000, default: 4, description: 'key–value pairs per context' },
      keyDistribution: {
        kind: 'enum',
        values: KEY_DISTRIBUTIONS,
        default: 'orthogonal',
        description: 'keys: orthonormal (exact construction), unit-norm Gaussian, or a mixture of both',
      },
      mixingFraction: {
        kind: 'number',
        min: 0,
        max: 1,
        description: 'share of sequences with orthogonal keys (mixture only; default: 0.5)',
      },
    },
    [
      'lattn generate associative-memory --key-dim 4 --num-pairs 3 --out data',
      'lattn generate associative-memory --key-distribution mixture --mixing-fraction 0.75 --seed 1 --out data',
    ],
    (options) =>
      generateAssociativeMemoryTask({
        numSequences: options.numSequences,
        keyDim: options.keyDim,
        numPairs: options.numPairs,
        keyDistribution: options.keyDistribution,
        seed: options.seed,
        ...(options.mixingFraction === undefined ? {} : { mixingFraction: options.mixingFraction }),
      }),
  ),
  taskCommand(
    'automata',
    "random DFAs: the transition table and a word in the context, the states' history as targets",
    {
      numSequences: numSequencesOption(32, 'one automaton each'),
      numStates: { kind: 'integer', min: 1, max: 64, default: 4, description: 'states |Q| of every automaton' },
      numSymbols: { kind: 'integer', min: 1, max: 64, default: 2, description: 'alphabet size |Σ|' },
      wordLength: { kind: 'integer', min: 1, max: 4096, default: 8, description: 'word length n' },
    },
    [
      'lattn generate automata --num-states 4 --num-symbols 2 --word-length 8 --out data',
      'lattn generate automata --num-sequences 200 --seed 2 --out fresh',
    ],
    (options) =>
      generateAutomatonTask({
        numSequences: options.numSequences,
        numStates: options.numStates,
        numSymbols: options.numSymbols,
        wordLength: options.wordLength,
        seed: options.seed,
      }),
  ),
  taskCommand(
    'turing',
    'Turing-machine computation histories: the table and the input in the context, the next history token as target',
    {
      numSequences: numSequencesOption(16, 'one machine each'),
      numStates: { kind: 'integer', min: 1, max: 32, default: 2, description: 'states |Q| of every machine' },
      wordLength: { kind: 'integer', min: 1, max: 64, default: 3, description: 'input length n' },
      numSteps: { kind: 'integer', min: 1, max: 64, default: 3, description: 'computation steps S' },
    },
    [
      'lattn generate turing --num-states 1 --word-length 1 --num-steps 1 --num-sequences 64 --out data',
      'lattn generate turing --out data --json',
    ],
    (options) =>
      generateTuringTask({
        numSequences: options.numSequences,
        numStates: options.numStates,
        wordLength: options.wordLength,
        numSteps: options.numSteps,
        seed: options.seed,
      }),
  ),
];

const EXAMPLE = 'lattn generate automata --num-states 3 --seed 1 --out data';

/** The `lattn generate` command: one sub-command per task. */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'write a seeded task dataset (random-mhla, associative-memory, automata, turing) as X.npy, Y.npy, task.json',
  help: [
    `Usage: lattn generate <task> --out <DIR> [options]

Writes DIR/X.npy (inputs, float64 (B, n, d)), DIR/Y.npy (targets: (B, n, dOut) in mode all, (B, dOut) in mode
last) and DIR/task.json: the task kind, the options used (defaults filled in), the symbolic instances needed to
decode and score, and the exact construction as a lattn.mhla model. The same options and seed give the same files.
DIR is created when missing; existing files in it are replaced.

Tasks: ${GENERATE_TASKS.join(', ')}`,
    ...TASK_COMMANDS.map((command) => command.help.trimEnd()),
  ]
    .join('\n\n----\n\n')
    .concat('\n'),
  run: async (args, io) => {
    const [task, ...rest] = args;
    const command = TASK_COMMANDS.find((candidate) => candidate.name === `generate ${task}`);
    if (command === undefined) {
      const received =
        task === undefined ? 'nothing' : task.startsWith('-') ? `the option '${task}' first` : `'${task}'`;
      throw new LattnError(
        'INVALID_ARGUMENT',
        `<task> must be one of ${GENERATE_TASKS.join(', ')}; received ${received}. Example: ${EXAMPLE}`,
      );
    }
    return command.run(rest, io);
  },
};

async function writeTask(
  name: string,
  task: GeneratedTask,
  options: { readonly out: string; readonly json: boolean },
  io: CliIo,
): Promise<number> {
  const { dataset } = task;
  await ensureDirectory(options.out);
  const inputs = join(options.out, 'X.npy');
  const targets = join(options.out, 'Y.npy');
  const taskFile = join(options.out, 'task.json');
  const first = dataset.inputs[0];
  const outputDim = task.construction.outputDim;
  const inputShape = [dataset.inputs.length, first.rows, first.cols];
  const targetShape =
    dataset.mode === 'all' ? [dataset.inputs.length, first.rows, outputDim] : [dataset.inputs.length, outputDim];
  // The three files are one dataset: all are written, or none is (an old set in DIR stays whole).
  await writeFilesAtomic([
    npyFile(inputs, sequencesToArray(dataset.inputs)),
    npyFile(targets, targetsToArray(dataset.targets, dataset.mode)),
    jsonFile(taskFile, {
      format: TASK_FORMAT,
      version: 1,
      task: name,
      kind: task.kind,
      mode: dataset.mode,
      files: { inputs: 'X.npy', targets: 'Y.npy' },
      shapes: { inputs: inputShape, targets: targetShape },
      options: task.options,
      encoding: task.encoding,
      instances: task.instances,
      construction: JSON.parse(serializeModel(task.construction)) as unknown,
    }),
  ]);
  const summary: GenerateSummary = {
    task: name,
    kind: task.kind,
    inputs,
    targets,
    taskFile,
    mode: dataset.mode,
    numSequences: dataset.inputs.length,
    sequenceLength: first.rows,
    modelDim: first.cols,
    outputDim,
    inputShape,
    targetShape,
    constructionHeads: task.construction.heads.length,
    options: task.options,
  };
  writeResult(io, summary, {
    json: options.json,
    text: () => {
      const instances = task.instances === undefined ? '' : `, ${task.instances.length} instances`;
      const heads = `${summary.constructionHeads}-head construction`;
      return `${describeData(`generate ${name}`, summary)}\n\n${formatTable([
        ['inputs', `${inputs}, shape (${inputShape.join(', ')})`],
        ['targets', `${targets}, shape (${targetShape.join(', ')})`],
        ['task', `${taskFile} (options${instances}, the ${heads})`],
      ])}`;
    },
  });
  return 0;
}
