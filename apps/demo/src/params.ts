/**
 * The demo's state: which task, its sizes and seed, and the learner's settings. It lives in the URL query string
 * (so a link reproduces a run) as raw strings, and is validated here field by field, so each error can be shown
 * next to its input.
 */
import { featureDim } from '@lattn/feature-map';

export const TASK_KINDS = ['random-mhla', 'associative-memory', 'automaton'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_LABELS: Readonly<Record<TaskKind, string>> = {
  'random-mhla': 'Random MHLA teacher',
  'associative-memory': 'Associative memory',
  automaton: 'Finite automata',
};

/** Every setting of a run, validated. Fields that the chosen task does not use keep their defaults. */
export interface DemoParams {
  readonly task: TaskKind;
  readonly seed: number;
  readonly numSequences: number;
  readonly testSequences: number;
  readonly modelDim: number;
  readonly outputDim: number;
  readonly numHeads: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly mode: 'all' | 'last';
  readonly inputDistribution: 'gaussian' | 'unit-norm' | 'one-hot';
  readonly keyDim: number;
  readonly numPairs: number;
  readonly keyDistribution: 'orthogonal' | 'gaussian' | 'mixture';
  readonly numStates: number;
  readonly numSymbols: number;
  readonly wordLength: number;
  readonly testWordLength: number;
  readonly maxHeads: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly instance: number;
}

export type FieldKey = Exclude<keyof DemoParams, 'task'>;

/** The form's contents: the task and one raw string per field, exactly as typed or as found in the URL. */
export interface RawParams {
  readonly task: string;
  readonly values: Readonly<Partial<Record<FieldKey, string>>>;
}

interface FieldBase {
  readonly key: FieldKey;
  readonly label: string;
  /** The tasks that use this field; `'all'` for settings of every run. */
  readonly tasks: readonly TaskKind[] | 'all';
  /** One line of help under the input. */
  readonly hint: string;
  /** The group of the form the field appears in. */
  readonly group: 'task' | 'data' | 'learner' | 'view';
}

export interface NumberField extends FieldBase {
  readonly kind: 'integer' | 'number';
  readonly min: number;
  readonly max: number;
  /** Whether `min` itself is excluded (a learning rate must be positive). */
  readonly exclusiveMin?: boolean;
  readonly defaults: number | Readonly<Record<TaskKind, number>>;
}

export interface ChoiceField extends FieldBase {
  readonly kind: 'choice';
  readonly choices: readonly { readonly value: string; readonly label: string }[];
  readonly defaults: string;
}

export type Field = NumberField | ChoiceField;

/**
 * The largest folded feature dimension `D = d · d(d+1)/2` the demo accepts: the certificate and the solver cost
 * `O(D³)`, about five seconds together at `D = 726` (`d = 11`) on singular data in one thread.
 */
export const MAX_FEATURE_DIM = 800;

const RANDOM: readonly TaskKind[] = ['random-mhla'];
const MEMORY: readonly TaskKind[] = ['associative-memory'];
const AUTOMATON: readonly TaskKind[] = ['automaton'];

export const FIELDS: readonly Field[] = [
  {
    key: 'seed',
    label: 'Seed',
    kind: 'integer',
    min: 0,
    max: 2 ** 31 - 1,
    defaults: 0,
    tasks: 'all',
    group: 'task',
    hint: 'Training data use seed s, fresh test instances s + 1, the Adam initialisation s + 2.',
  },
  {
    key: 'numSequences',
    label: 'Training sequences',
    kind: 'integer',
    min: 1,
    max: 2000,
    defaults: { 'random-mhla': 16, 'associative-memory': 300, automaton: 16 },
    tasks: 'all',
    group: 'data',
    hint: 'Sequences the exact learner and the Adam baseline see.',
  },
  {
    key: 'testSequences',
    label: 'Test sequences',
    kind: 'integer',
    min: 1,
    max: 1000,
    defaults: 64,
    tasks: 'all',
    group: 'data',
    hint: 'Fresh instances for the accuracy.',
  },
  {
    key: 'modelDim',
    label: 'Token dimension d',
    kind: 'integer',
    min: 1,
    max: 11,
    defaults: 4,
    tasks: RANDOM,
    group: 'data',
    hint: 'D = d·d(d+1)/2 features.',
  },
  {
    key: 'outputDim',
    label: 'Output dimension dOut',
    kind: 'integer',
    min: 1,
    max: 8,
    defaults: 2,
    tasks: RANDOM,
    group: 'data',
    hint: 'Rows of each value matrix V_h.',
  },
  {
    key: 'numHeads',
    label: 'Teacher heads H',
    kind: 'integer',
    min: 1,
    max: 16,
    defaults: 2,
    tasks: RANDOM,
    group: 'data',
    hint: 'Heads of the random teacher (and of the Adam baseline).',
  },
  {
    key: 'minLength',
    label: 'Shortest sequence',
    kind: 'integer',
    min: 1,
    max: 64,
    defaults: 4,
    tasks: RANDOM,
    group: 'data',
    hint: 'Tokens per sequence, at least.',
  },
  {
    key: 'maxLength',
    label: 'Longest sequence',
    kind: 'integer',
    min: 1,
    max: 64,
    defaults: 8,
    tasks: RANDOM,
    group: 'data',
    hint: 'Tokens per sequence, at most.',
  },
  {
    key: 'mode',
    label: 'Training positions',
    kind: 'choice',
    choices: [
      { value: 'all', label: 'every position' },
      { value: 'last', label: 'last position only' },
    ],
    defaults: 'all',
    tasks: RANDOM,
    group: 'data',
    hint: 'Which outputs of each sequence are training examples.',
  },
  {
    key: 'inputDistribution',
    label: 'Tokens',
    kind: 'choice',
    choices: [
      { value: 'gaussian', label: 'Gaussian' },
      { value: 'unit-norm', label: 'unit norm' },
      { value: 'one-hot', label: 'one-hot' },
    ],
    defaults: 'unit-norm',
    tasks: RANDOM,
    group: 'data',
    hint: 'Unit norm keeps outputs of order 1 (Adam needs that); one-hot tokens never excite most features.',
  },
  {
    key: 'keyDim',
    label: 'Key dimension',
    kind: 'integer',
    min: 1,
    max: 5,
    defaults: 4,
    tasks: MEMORY,
    group: 'data',
    hint: 'Tokens [key; value] have d = 2·keyDim.',
  },
  {
    key: 'numPairs',
    label: 'Pairs per context',
    kind: 'integer',
    min: 1,
    max: 16,
    defaults: 4,
    tasks: MEMORY,
    group: 'data',
    hint: 'Key–value pairs before the query.',
  },
  {
    key: 'keyDistribution',
    label: 'Keys',
    kind: 'choice',
    choices: [
      { value: 'orthogonal', label: 'orthogonal' },
      { value: 'gaussian', label: 'Gaussian' },
      { value: 'mixture', label: 'half and half' },
    ],
    defaults: 'orthogonal',
    tasks: MEMORY,
    group: 'data',
    hint: 'Orthogonal keys make the one-head construction exact.',
  },
  {
    key: 'numStates',
    label: 'States |Q|',
    kind: 'integer',
    min: 1,
    max: 8,
    defaults: 2,
    tasks: AUTOMATON,
    group: 'data',
    hint: 'Tokens have d = |Q|·|Σ| + |Q| + |Σ|.',
  },
  {
    key: 'numSymbols',
    label: 'Symbols |Σ|',
    kind: 'integer',
    min: 1,
    max: 8,
    defaults: 2,
    tasks: AUTOMATON,
    group: 'data',
    hint: 'Alphabet size.',
  },
  {
    key: 'wordLength',
    label: 'Training word length',
    kind: 'integer',
    min: 1,
    max: 32,
    defaults: 8,
    tasks: AUTOMATON,
    group: 'data',
    hint: 'Symbols per training word.',
  },
  {
    key: 'testWordLength',
    label: 'Test word length',
    kind: 'integer',
    min: 1,
    max: 64,
    defaults: 16,
    tasks: AUTOMATON,
    group: 'data',
    hint: 'Longer than in training: does the model generalise?',
  },
  {
    key: 'maxHeads',
    label: 'Minimal heads: search up to',
    kind: 'integer',
    min: 1,
    max: 8,
    defaults: 4,
    tasks: 'all',
    group: 'learner',
    hint: 'Alternating projection tries H from the proven lower bound up to this.',
  },
  {
    key: 'epochs',
    label: 'Adam epochs',
    kind: 'integer',
    min: 1,
    max: 5000,
    defaults: { 'random-mhla': 1000, 'associative-memory': 200, automaton: 500 },
    tasks: 'all',
    group: 'learner',
    hint: 'Passes of the gradient baseline over the training set.',
  },
  {
    key: 'learningRate',
    label: 'Adam learning rate',
    kind: 'number',
    min: 0,
    max: 1,
    exclusiveMin: true,
    defaults: 0.03,
    tasks: 'all',
    group: 'learner',
    hint: 'Peak step size of the baseline.',
  },
  {
    key: 'instance',
    label: 'Test instance shown',
    kind: 'integer',
    min: 0,
    max: 999,
    defaults: 0,
    tasks: AUTOMATON,
    group: 'view',
    hint: 'Which fresh automaton the step-by-step view runs.',
  },
];

/** Fields kept when the task changes; every other field returns to the new task's default. */
const SHARED_ON_SWITCH: readonly FieldKey[] = ['seed', 'testSequences', 'maxHeads', 'learningRate'];

export function fieldsFor(task: TaskKind): Field[] {
  return FIELDS.filter((field) => field.tasks === 'all' || field.tasks.includes(task));
}

export function isTaskKind(value: string): value is TaskKind {
  return (TASK_KINDS as readonly string[]).includes(value);
}

function defaultOf(field: Field, task: TaskKind): string {
  if (field.kind === 'choice') return field.defaults;
  return String(typeof field.defaults === 'number' ? field.defaults : field.defaults[task]);
}

/** The raw form contents of a task with every field at its default. */
export function defaultRaw(task: TaskKind = 'random-mhla'): RawParams {
  const values: Partial<Record<FieldKey, string>> = {};
  for (const field of fieldsFor(task)) values[field.key] = defaultOf(field, task);
  return { task, values };
}

/** Switches the task: shared settings stay, the rest return to the new task's defaults. */
export function switchTask(raw: RawParams, task: TaskKind): RawParams {
  const next = defaultRaw(task);
  const values = { ...next.values };
  for (const key of SHARED_ON_SWITCH) {
    const value = raw.values[key];
    if (value !== undefined) values[key] = value;
  }
  return { task, values };
}

/** What the URL said: the raw form contents, and what was not understood. */
export interface ParsedQuery {
  readonly raw: RawParams;
  /** Parameters that are not settings of the task (unknown names, or settings of other tasks). */
  readonly ignored: readonly string[];
  /** The `task` value when it names no task (the default task is used instead), else `null`. */
  readonly unknownTask: string | null;
}

/**
 * Reads the form contents from a query string. Missing fields take the task's defaults; values are kept as
 * written (validation reports the bad ones); parameters of other tasks or unknown names are listed in `ignored`.
 */
export function parseQuery(search: string): ParsedQuery {
  const query = new URLSearchParams(search);
  const taskValue = query.get('task');
  const task: TaskKind = taskValue !== null && isTaskKind(taskValue) ? taskValue : 'random-mhla';
  const ignored: string[] = [];
  const base = defaultRaw(task);
  const values: Partial<Record<FieldKey, string>> = { ...base.values };
  for (const [name, value] of query) {
    if (name === 'task') continue;
    if (name in base.values) values[name as FieldKey] = value.trim();
    else ignored.push(name);
  }
  return {
    raw: { task, values },
    ignored,
    unknownTask: taskValue !== null && !isTaskKind(taskValue) ? taskValue : null,
  };
}

/** What the page says about a link's parts it could not use (empty when it used all of them). */
export function linkNotice(parsed: ParsedQuery): string {
  const task = isTaskKind(parsed.raw.task) ? parsed.raw.task : 'random-mhla';
  const parts: string[] = [];
  if (parsed.unknownTask !== null) {
    const known = TASK_KINDS.join(', ');
    parts.push(`The link’s task “${parsed.unknownTask}” is not one of ${known}; showing ${TASK_LABELS[task]}.`);
  }
  if (parsed.ignored.length > 0) {
    parts.push(`Ignored link parameters, not settings of ${TASK_LABELS[task]}: ${parsed.ignored.join(', ')}.`);
  }
  return parts.join(' ');
}

/** One line naming the fields to fix, in form order (empty when there are none). */
export function errorSummary(errors: FieldErrors): string {
  const labels = FIELDS.filter((field) => errors[field.key] !== undefined).map((field) => field.label);
  if (labels.length === 0) return '';
  return `${labels.length === 1 ? 'One setting needs' : `${labels.length} settings need`} fixing: ${labels.join(', ')}.`;
}

/** The query string of the form contents: the task, then every field it uses, in form order. */
export function toQuery(raw: RawParams): string {
  const task = isTaskKind(raw.task) ? raw.task : 'random-mhla';
  const query = new URLSearchParams({ task });
  for (const field of fieldsFor(task)) query.set(field.key, raw.values[field.key] ?? defaultOf(field, task));
  return `?${query.toString()}`;
}

export type FieldErrors = Partial<Record<FieldKey, string>>;

export type Validation =
  | { readonly ok: true; readonly params: DemoParams }
  | { readonly ok: false; readonly errors: FieldErrors };

function describeRange(field: NumberField): string {
  const what = field.kind === 'integer' ? 'a whole number' : 'a number';
  return field.exclusiveMin
    ? `${what} above ${field.min}, at most ${field.max}`
    : `${what} from ${field.min} to ${field.max}`;
}

function readNumber(field: NumberField, text: string): number | string {
  if (text === '') return `Enter ${describeRange(field)}.`;
  const value = Number(text);
  const wellFormed = field.kind === 'integer' ? /^[+-]?\d+$/.test(text) : Number.isFinite(value);
  const inRange = value <= field.max && (field.exclusiveMin ? value > field.min : value >= field.min);
  if (!wellFormed || !inRange) return `Must be ${describeRange(field)}; got “${text}”.`;
  return value;
}

/** The token dimension `d` a task's settings imply. */
export function modelDimOf(params: DemoParams): number {
  switch (params.task) {
    case 'random-mhla':
      return params.modelDim;
    case 'associative-memory':
      return 2 * params.keyDim;
    case 'automaton':
      return params.numStates * params.numSymbols + params.numStates + params.numSymbols;
  }
}

/** The fields that set `d`, where a too-large feature dimension is reported. */
const DIMENSION_FIELDS: Readonly<Record<TaskKind, readonly FieldKey[]>> = {
  'random-mhla': ['modelDim'],
  'associative-memory': ['keyDim'],
  automaton: ['numStates', 'numSymbols'],
};

/** Validates the form contents: either the parameters of a run, or one message per offending field. */
export function validate(raw: RawParams): Validation {
  const task: TaskKind = isTaskKind(raw.task) ? raw.task : 'random-mhla';
  const errors: FieldErrors = {};
  const values: Record<string, number | string> = {};
  for (const field of FIELDS) {
    const used = field.tasks === 'all' || field.tasks.includes(task);
    const text = used ? (raw.values[field.key] ?? defaultOf(field, task)).trim() : defaultOf(field, task);
    if (field.kind === 'choice') {
      if (field.choices.some((choice) => choice.value === text)) values[field.key] = text;
      else
        errors[field.key] = `Choose one of ${field.choices.map((choice) => choice.value).join(', ')}; got “${text}”.`;
      continue;
    }
    const value = readNumber(field, text);
    if (typeof value === 'string') errors[field.key] = value;
    else values[field.key] = value;
  }
  // Checks across fields run whenever their fields are valid on their own, so every problem shows at once.
  const params = { task, ...values } as unknown as DemoParams;
  const valid = (...keys: FieldKey[]): boolean => keys.every((key) => key in values);

  if (task === 'random-mhla' && valid('minLength', 'maxLength') && params.minLength > params.maxLength) {
    errors.maxLength = `Must be at least the shortest sequence (${params.minLength}).`;
  }
  if (
    task === 'associative-memory' &&
    valid('keyDistribution', 'numPairs', 'keyDim') &&
    params.keyDistribution !== 'gaussian' &&
    params.numPairs > params.keyDim
  ) {
    errors.numPairs = `At most ${params.keyDim} orthogonal keys fit in dimension ${params.keyDim}; use Gaussian keys for more pairs.`;
  }
  if (task === 'automaton' && valid('instance', 'testSequences') && params.instance >= params.testSequences) {
    errors.instance = `Must be below the number of test sequences (${params.testSequences}).`;
  }
  if (valid(...DIMENSION_FIELDS[task])) {
    const d = modelDimOf(params);
    const dim = featureDim(d);
    if (dim > MAX_FEATURE_DIM) {
      for (const key of DIMENSION_FIELDS[task]) {
        errors[key] = `d = ${d} gives D = ${dim} features; the demo stays interactive up to D = ${MAX_FEATURE_DIM}.`;
      }
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, params };
}
