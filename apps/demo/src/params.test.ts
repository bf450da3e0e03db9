import { featureDim } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import {
  defaultRaw,
  errorSummary,
  fieldsFor,
  linkNotice,
  MAX_FEATURE_DIM,
  modelDimOf,
  parseQuery,
  type RawParams,
  switchTask,
  TASK_KINDS,
  toQuery,
  validate,
} from './params.js';

function withValues(raw: RawParams, values: Partial<RawParams['values']>): RawParams {
  return { task: raw.task, values: { ...raw.values, ...values } };
}

function errorsOf(raw: RawParams): Record<string, string> {
  const result = validate(raw);
  if (result.ok) throw new Error('expected validation errors');
  return result.errors;
}

describe('URL state', () => {
  it('gives the random-MHLA defaults for an empty query, and they validate', () => {
    const { raw, ignored, unknownTask } = parseQuery('');
    expect(raw).toEqual(defaultRaw('random-mhla'));
    expect(ignored).toEqual([]);
    expect(unknownTask).toBeNull();
    const result = validate(raw);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.params).toMatchObject({ task: 'random-mhla', seed: 0, modelDim: 4, numHeads: 2, mode: 'all' });
    }
  });

  it('round-trips every task through toQuery and parseQuery', () => {
    for (const task of TASK_KINDS) {
      const raw = withValues(defaultRaw(task), { seed: '17' });
      const parsed = parseQuery(toQuery(raw));
      expect(parsed.raw).toEqual(raw);
      expect(parsed.ignored).toEqual([]);
    }
  });

  it('writes the task and exactly the fields it uses, in form order', () => {
    const query = new URLSearchParams(toQuery(defaultRaw('automaton')));
    expect([...query.keys()]).toEqual(['task', ...fieldsFor('automaton').map((field) => field.key)]);
    expect(query.get('task')).toBe('automaton');
    expect(query.has('modelDim')).toBe(false);
  });

  it('keeps values as written and lists unknown parameters and those of other tasks as ignored', () => {
    const { raw, ignored } = parseQuery('?task=automaton&numStates=%203%20&modelDim=4&bogus=1');
    expect(raw.values.numStates).toBe('3');
    expect(raw.values.numSymbols).toBe('2');
    expect(ignored).toEqual(['modelDim', 'bogus']);
  });

  it('falls back to the default task for an unknown task and says so', () => {
    const parsed = parseQuery('?task=turing&bogus=1');
    expect(parsed.raw.task).toBe('random-mhla');
    expect(parsed).toMatchObject({ unknownTask: 'turing', ignored: ['bogus'] });
    expect(linkNotice(parsed)).toBe(
      'The link’s task “turing” is not one of random-mhla, associative-memory, automaton; showing Random MHLA teacher. ' +
        'Ignored link parameters, not settings of Random MHLA teacher: bogus.',
    );
  });

  it('has nothing to say about a link it understood entirely', () => {
    expect(linkNotice(parseQuery('?task=automaton&numStates=3'))).toBe('');
  });
});

describe('switchTask', () => {
  it('keeps shared settings and resets task-specific ones to the new task’s defaults', () => {
    const raw = withValues(defaultRaw('random-mhla'), { seed: '5', learningRate: '0.1', numSequences: '3' });
    const switched = switchTask(raw, 'associative-memory');
    expect(switched.task).toBe('associative-memory');
    expect(switched.values.seed).toBe('5');
    expect(switched.values.learningRate).toBe('0.1');
    expect(switched.values.numSequences).toBe(defaultRaw('associative-memory').values.numSequences);
    expect(switched.values.modelDim).toBeUndefined();
  });
});

describe('validate', () => {
  it('accepts every task’s defaults', () => {
    for (const task of TASK_KINDS) expect(validate(defaultRaw(task)).ok).toBe(true);
  });

  it('reports malformed, empty and out-of-range numbers with the accepted range', () => {
    const errors = errorsOf(
      withValues(defaultRaw('random-mhla'), { modelDim: '2.5', numSequences: '', seed: '-1', learningRate: '0' }),
    );
    expect(errors.modelDim).toBe('Must be a whole number from 1 to 11; got “2.5”.');
    expect(errors.numSequences).toBe('Enter a whole number from 1 to 2000.');
    expect(errors.seed).toBe('Must be a whole number from 0 to 2147483647; got “-1”.');
    expect(errors.learningRate).toBe('Must be a number above 0, at most 1; got “0”.');
  });

  it('rejects a choice that is not offered', () => {
    expect(errorsOf(withValues(defaultRaw('random-mhla'), { mode: 'first' })).mode).toBe(
      'Choose one of all, last; got “first”.',
    );
  });

  it('reports a shortest sequence longer than the longest on the longest', () => {
    const errors = errorsOf(withValues(defaultRaw('random-mhla'), { minLength: '9', maxLength: '8' }));
    expect(Object.keys(errors)).toEqual(['maxLength']);
  });

  it('reports problems across fields together with a malformed field elsewhere', () => {
    const raw = withValues(defaultRaw('random-mhla'), { minLength: '9', maxLength: '3', mode: 'middle' });
    expect(Object.keys(errorsOf(raw)).sort()).toEqual(['maxLength', 'mode']);
    const automaton = withValues(defaultRaw('automaton'), { numStates: '3', numSymbols: '3', epochs: 'many' });
    expect(Object.keys(errorsOf(automaton)).sort()).toEqual(['epochs', 'numStates', 'numSymbols']);
  });

  it('skips a check across fields when one of its fields is itself invalid', () => {
    const errors = errorsOf(withValues(defaultRaw('random-mhla'), { minLength: '9', maxLength: 'x' }));
    expect(errors).toEqual({ maxLength: 'Must be a whole number from 1 to 64; got “x”.' });
  });

  it('allows more pairs than the key dimension only for Gaussian keys', () => {
    const raw = withValues(defaultRaw('associative-memory'), { keyDim: '3', numPairs: '4' });
    expect(errorsOf(raw).numPairs).toMatch(/At most 3 orthogonal keys/);
    expect(validate(withValues(raw, { keyDistribution: 'gaussian' })).ok).toBe(true);
  });

  it('reports a feature dimension above the cap on every field that sets d', () => {
    const errors = errorsOf(withValues(defaultRaw('automaton'), { numStates: '3', numSymbols: '3' }));
    const d = 3 * 3 + 3 + 3;
    expect(featureDim(d)).toBeGreaterThan(MAX_FEATURE_DIM);
    expect(errors.numStates).toBe(
      `d = 15 gives D = ${featureDim(d)} features; the demo stays interactive up to D = ${MAX_FEATURE_DIM}.`,
    );
    expect(errors.numSymbols).toBe(errors.numStates);
  });

  it('admits every value the form offers for the token dimension up to the cap', () => {
    const largest = defaultRaw('random-mhla');
    const result = validate(withValues(largest, { modelDim: '11' }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(featureDim(modelDimOf(result.params))).toBeLessThanOrEqual(MAX_FEATURE_DIM);
  });

  it('requires the shown automaton instance to exist among the test sequences', () => {
    const errors = errorsOf(withValues(defaultRaw('automaton'), { testSequences: '8', instance: '8' }));
    expect(errors.instance).toBe('Must be below the number of test sequences (8).');
  });

  it('summarises the fields to fix in form order', () => {
    const errors = errorsOf(withValues(defaultRaw('automaton'), { learningRate: '2', numStates: 'abc' }));
    expect(errorSummary(errors)).toBe('2 settings need fixing: States |Q|, Adam learning rate.');
    expect(errorSummary({ seed: 'x' })).toBe('One setting needs fixing: Seed.');
    expect(errorSummary({})).toBe('');
  });

  it('ignores fields the task does not use, even when malformed', () => {
    const raw = { task: 'automaton', values: { ...defaultRaw('automaton').values, modelDim: 'x' } };
    expect(validate(raw).ok).toBe(true);
  });
});
